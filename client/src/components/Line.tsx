import type { JSX } from "solid-js";

/** One row of a list of money movements: what (bold) and its details on the left, the amount or an action on the right. */
export function Line(props: { title: JSX.Element; detail: JSX.Element; children: JSX.Element }) {
  return (
    <li class="line">
      <span>
        <strong>{props.title}</strong>
        <small class="muted">
          {" · "}
          {props.detail}
        </small>
      </span>
      {props.children}
    </li>
  );
}
