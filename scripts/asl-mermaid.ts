/**
 * Renders an ASL definition as a Mermaid flowchart: nested Map iterations become subgraphs,
 * Choice branches and Catch edges are labelled. Used for the README's backup diagram.
 */
interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string; Variable?: string; StringEquals?: string; BooleanEquals?: boolean }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
}

interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
}

const SHAPES: Record<string, (id: string, label: string) => string> = {
  Task: (id, label) => `${id}["${label}"]`,
  Choice: (id, label) => `${id}{"${label}"}`,
  Wait: (id, label) => `${id}(["${label}"])`,
  Map: (id, label) => `${id}[["${label}"]]`,
  Succeed: (id, label) => `${id}(("${label}"))`,
  Fail: (id, label) => `${id}(("${label}"))`,
  Pass: (id, label) => `${id}>"${label}"]`,
};

const choiceLabel = (choice: NonNullable<AslState['Choices']>[number]): string => {
  const field = choice.Variable?.split('.').pop() ?? '';
  const value =
    choice.StringEquals ?? (choice.BooleanEquals !== undefined ? String(choice.BooleanEquals) : '');
  return value ? `${field} = ${value}` : field;
};

const catchLabel = (errors: string[]): string =>
  errors.includes('States.ALL') ? 'any error' : 'terminal error';

export const aslToMermaid = (machine: AslMachine): string => {
  const lines = ['flowchart TD'];
  let counter = 0;
  const render = (m: AslMachine, prefix: string, indent: string, endId: string): void => {
    const id = (name: string) => `${prefix}${name}`;
    const startId = `${prefix}start_${counter++}`;
    lines.push(`${indent}${startId}(( )) --> ${id(m.StartAt)}`);
    for (const [name, state] of Object.entries(m.States)) {
      const shape = SHAPES[state.Type] ?? SHAPES.Task!;
      const inner = state.ItemProcessor ?? state.Iterator;
      if (inner) {
        lines.push(`${indent}subgraph ${id(name)}["${name} (Map, per item)"]`);
        lines.push(`${indent}  direction TB`);
        render(inner, `${id(name)}_`, `${indent}  `, `${id(name)}_done`);
        lines.push(`${indent}  ${id(name)}_done(( ))`);
        lines.push(`${indent}end`);
      } else {
        lines.push(`${indent}${shape(id(name), name)}`);
      }
      if (state.Next) lines.push(`${indent}${id(name)} --> ${id(state.Next)}`);
      for (const choice of state.Choices ?? []) {
        lines.push(`${indent}${id(name)} -- "${choiceLabel(choice)}" --> ${id(choice.Next)}`);
      }
      if (state.Default) lines.push(`${indent}${id(name)} -- otherwise --> ${id(state.Default)}`);
      const catchTargets = new Map<string, string[]>();
      for (const c of state.Catch ?? [])
        catchTargets.set(c.Next, [...(catchTargets.get(c.Next) ?? []), ...c.ErrorEquals]);
      for (const [target, errors] of catchTargets) {
        lines.push(`${indent}${id(name)} -. "${catchLabel(errors)}" .-> ${id(target)}`);
      }
      if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') {
        if (endId) lines.push(`${indent}${id(name)} --> ${endId}`);
      }
    }
  };
  render(machine, '', '  ', '');
  return lines.join('\n');
};

export const DIAGRAM_START = '<!-- backup-diagram:start -->';
export const DIAGRAM_END = '<!-- backup-diagram:end -->';

export const replaceDiagram = (readme: string, mermaid: string): string => {
  const start = readme.indexOf(DIAGRAM_START);
  const end = readme.indexOf(DIAGRAM_END);
  if (start < 0 || end < start) throw new Error('README.md has no backup-diagram markers');
  return `${readme.slice(0, start + DIAGRAM_START.length)}\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n${readme.slice(end)}`;
};
