import { type Accessor, type JSX, Match, type Resource, Switch } from "solid-js";
import { Empty, LoadError, Loading } from "./Status";

/** An answer with nothing to show: an empty list, or an empty `items` page. */
function isEmptyList(data: unknown): boolean {
  const list = Array.isArray(data) ? data : (data as { items?: unknown } | null)?.items;
  return Array.isArray(list) && list.length === 0;
}

/**
 * Something loaded from the server, in its designed states: the error with a retry; "loading" until the first answer
 * (a refetch keeps the last answer on screen); `empty` when the answer is an empty list (or `isEmpty` says so);
 * otherwise the content.
 */
export function Loaded<T>(props: {
  data: Resource<T>;
  retry: () => void;
  empty?: JSX.Element;
  isEmpty?: (data: NonNullable<T>) => boolean;
  children: (data: Accessor<NonNullable<T>>) => JSX.Element;
}) {
  const empty = () => {
    const data = props.data.latest;
    if (props.empty === undefined || data === undefined || data === null) return false;
    return (props.isEmpty ?? isEmptyList)(data);
  };
  return (
    <Switch>
      <Match when={props.data.error}>
        <LoadError error={props.data.error} retry={props.retry} />
      </Match>
      <Match when={props.data.latest === undefined}>
        <Loading />
      </Match>
      <Match when={empty()}>
        <Empty>{props.empty}</Empty>
      </Match>
      <Match when={props.data.latest}>{(data) => props.children(data)}</Match>
    </Switch>
  );
}
