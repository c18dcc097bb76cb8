import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** Arguments that size a list: the list's selection counts once per item they ask for. */
const LIST_SIZE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last', 'limit']);

/**
 * Items a sized list counts for when its size argument is absent (and has no default in the
 * schema): the page size the services return then. (Default: 20)
 */
export const DEFAULT_LIST_SIZE = 20;

/** What an operation, or a fragment, asks of the server; fragments count once per spread. */
export interface Measure {
  /** Fields nested in fields, deepest path, fragments followed (a root field is 1 deep). */
  depth: number;
  /** Longest chain of fragments spread within fragments (0 without fragments). */
  fragmentNesting: number;
  aliases: number;
  directives: number;
  /**
   * The number of fields the result may hold: each field costs 1, and the selection of a field
   * with a `first`, `last` or `limit` argument counts once per item it asks for.
   */
  cost: number;
  /** Some list's size came from a variable: the cost holds only for the values measured with. */
  variableSized: boolean;
}

/**
 * A measure of one document. `variables` null: sizes from variables are unknown (validation,
 * where any operation may be run with any values); they count as absent and are flagged.
 */
export interface Walk {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: ReadonlyMap<string, unknown> | null;
  /** Each fragment is walked once, however often it is spread. */
  measured: Map<string, Measure>;
  /** Fragments being walked: spreading one of them again is a cycle, which validation refuses. */
  open: Set<string>;
}

interface Frame {
  selections: readonly SelectionNode[];
  type: GraphQLNamedType | undefined;
  next: number;
  measure: Measure;
  /** Folds this selection set's measure into its parent's, once all of it is measured. */
  close(measure: Measure): void;
}

function emptyMeasure(directives = 0): Measure {
  return { depth: 0, fragmentNesting: 0, aliases: 0, directives, cost: 0, variableSized: false };
}

function include(target: Measure, part: Measure): void {
  target.depth = Math.max(target.depth, part.depth);
  target.fragmentNesting = Math.max(target.fragmentNesting, part.fragmentNesting);
  target.aliases += part.aliases;
  target.directives += part.directives;
  target.cost += part.cost;
  target.variableSized ||= part.variableSized;
}

function spreadOf(fragment: Measure, directives: number): Measure {
  return {
    ...fragment,
    fragmentNesting: fragment.fragmentNesting + 1,
    directives: fragment.directives + directives,
  };
}

function fieldOf(
  type: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function typeNamed(walk: Walk, name: string): GraphQLNamedType | undefined {
  return walk.schema.getType(name) ?? undefined;
}

function sizeValue(walk: Walk, value: ValueNode): { size?: number; variable: boolean } {
  if (value.kind === Kind.INT) {
    return { size: Number(value.value), variable: false };
  }
  if (value.kind === Kind.VARIABLE) {
    const given = walk.variables?.get(value.name.value);
    return { size: typeof given === 'number' ? given : undefined, variable: true };
  }
  // null, or a value of the wrong type that validation or coercion refuses.
  return { variable: false };
}

/** How many times a field's selection counts: null for a field that is not a sized list. */
function listSize(
  walk: Walk,
  definition: GraphQLField<unknown, unknown> | undefined,
  node: FieldNode,
): { size: number; variable: boolean } | null {
  const sizeArguments = definition?.args.filter((arg) => LIST_SIZE_ARGUMENTS.has(arg.name)) ?? [];
  if (sizeArguments.length === 0) {
    return null;
  }
  let size: number | undefined;
  let variable = false;
  for (const argument of sizeArguments) {
    const given = node.arguments?.find((candidate) => candidate.name.value === argument.name);
    const value = given ? sizeValue(walk, given.value) : { variable: false };
    variable ||= value.variable;
    const items =
      value.size ?? (typeof argument.defaultValue === 'number' ? argument.defaultValue : undefined);
    if (items !== undefined) {
      size = Math.max(size ?? 0, items);
    }
  }
  return { size: Math.max(0, size ?? DEFAULT_LIST_SIZE), variable };
}

/** Starts measuring one selection, returning the frame of its selection set if it has one. */
function enter(walk: Walk, parent: Frame, selection: SelectionNode): Frame | null {
  const directives = selection.directives?.length ?? 0;
  const open = (
    set: SelectionSetNode,
    type: GraphQLNamedType | undefined,
    close: Frame['close'],
  ): Frame => ({ selections: set.selections, type, next: 0, measure: emptyMeasure(), close });
  switch (selection.kind) {
    case Kind.FIELD: {
      const aliases = selection.alias ? 1 : 0;
      if (!selection.selectionSet) {
        include(parent.measure, { ...emptyMeasure(directives), depth: 1, aliases, cost: 1 });
        return null;
      }
      const definition = fieldOf(parent.type, selection.name.value);
      const sized = listSize(walk, definition, selection);
      const type = definition ? getNamedType(definition.type) : undefined;
      return open(selection.selectionSet, type, (inner) =>
        include(parent.measure, {
          depth: inner.depth + 1,
          fragmentNesting: inner.fragmentNesting,
          aliases: inner.aliases + aliases,
          directives: inner.directives + directives,
          cost: 1 + (sized?.size ?? 1) * inner.cost,
          variableSized: inner.variableSized || (sized?.variable ?? false),
        }),
      );
    }
    case Kind.INLINE_FRAGMENT: {
      const condition = selection.typeCondition?.name.value;
      const type = condition === undefined ? parent.type : typeNamed(walk, condition);
      return open(selection.selectionSet, type, (inner) =>
        include(parent.measure, { ...inner, directives: inner.directives + directives }),
      );
    }
    case Kind.FRAGMENT_SPREAD: {
      const name = selection.name.value;
      const measured = walk.measured.get(name);
      if (measured) {
        include(parent.measure, spreadOf(measured, directives));
        return null;
      }
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.open.has(name)) {
        // Unknown or cyclic: validation refuses the document, whatever the limits say.
        include(parent.measure, emptyMeasure(directives));
        return null;
      }
      walk.open.add(name);
      const type = typeNamed(walk, fragment.typeCondition.name.value);
      return open(fragment.selectionSet, type, (inner) => {
        const own = { ...inner, directives: inner.directives + (fragment.directives?.length ?? 0) };
        walk.measured.set(name, own);
        walk.open.delete(name);
        include(parent.measure, spreadOf(own, directives));
      });
    }
  }
}

/**
 * Measures a selection set without recursion: an explicit stack of frames, so neither deep
 * nesting nor long chains of fragments can overflow the call stack, and each fragment is walked
 * once (later spreads reuse its measure), so the walk is linear in the document's size.
 */
function measureSelectionSet(
  walk: Walk,
  set: SelectionSetNode,
  type: GraphQLNamedType | undefined,
): Measure {
  const total = emptyMeasure();
  const stack: Frame[] = [
    { selections: set.selections, type, next: 0, measure: total, close: () => {} },
  ];
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    const selection = frame.selections[frame.next];
    frame.next += 1;
    if (selection === undefined) {
      stack.pop();
      frame.close(frame.measure);
      continue;
    }
    const child = enter(walk, frame, selection);
    if (child) {
      stack.push(child);
    }
  }
  return total;
}

export function measureOperation(walk: Walk, operation: OperationDefinitionNode): Measure {
  const type = walk.schema.getRootType(operation.operation) ?? undefined;
  const measure = measureSelectionSet(walk, operation.selectionSet, type);
  measure.directives += operation.directives?.length ?? 0;
  for (const definition of operation.variableDefinitions ?? []) {
    measure.directives += definition.directives?.length ?? 0;
  }
  return measure;
}

/** A fragment's measure as if spread at an operation's root (unused fragments too). */
export function measureFragment(walk: Walk, fragment: FragmentDefinitionNode): Measure {
  const spread = { kind: Kind.FRAGMENT_SPREAD, name: fragment.name } as const;
  const root: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [spread] };
  return measureSelectionSet(walk, root, undefined);
}
