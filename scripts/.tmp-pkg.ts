import {packageService} from './package-service.ts';
const p = await packageService('dev', process.argv[2]); console.log(p.dir);
