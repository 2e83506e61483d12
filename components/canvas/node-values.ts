"use client";

import { useLayoutEffect, useMemo, useState, useSyncExternalStore } from "react";

/**
 * A value per node id that each card reads on its own: its decoration (errors, run status) or,
 * in the editor, its settings. A card re-renders only when its own value changes, not when any
 * node's does: an edit recompiles the pipeline and makes a new settings object for one node, and
 * 1,000 cards must not all redraw for it. The node objects React Flow holds then stay the same
 * while settings are typed (React Flow runs a selector per node and per edge whenever its node
 * list changes: about 12 ms a keystroke at 1,000 nodes). Listeners are per node, so a change to
 * one node calls one.
 */
export class NodeValueStore<T> {
  private current = new Map<string, T>();
  private listeners = new Map<string, Set<() => void>>();
  /** `same` decides when a new value may keep the previous object (and tell nobody). */
  constructor(private readonly same: (a: T, b: T) => boolean = Object.is) {}
  get = (id: string) => this.current.get(id);
  subscribe(id: string, fn: () => void) {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size && this.listeners.get(id) === set) this.listeners.delete(id);
    };
  }
  /** Takes every node's value and tells the cards whose value changed, appeared or went away. */
  set(next: Iterable<[string, T]>) {
    const before = this.current;
    const kept = new Map<string, T>();
    const changed: string[] = [];
    for (const [id, value] of next) {
      const old = before.get(id);
      if (old !== undefined && this.same(old, value)) kept.set(id, old);
      else {
        kept.set(id, value);
        changed.push(id);
      }
    }
    for (const id of before.keys()) if (!kept.has(id)) changed.push(id);
    this.current = kept;
    for (const id of changed) for (const fn of this.listeners.get(id) ?? []) fn();
  }
}

const entriesOf = <T,>(values: Record<string, T> | Map<string, T>) => (values instanceof Map ? values : Object.entries(values));

/** A store that follows `values` (set after each render that changed them). */
export function useNodeValueStore<T>(values: Record<string, T> | Map<string, T>, same?: (a: T, b: T) => boolean): NodeValueStore<T> {
  const [store] = useState(() => {
    const s = new NodeValueStore<T>(same);
    s.set(entriesOf(values));
    return s;
  });
  useLayoutEffect(() => store.set(entriesOf(values)), [store, values]);
  return store;
}

const noSubscription = () => () => {};

/** One node's value from `store`, or `fallback` when there is no store or it holds nothing for the node. */
export function useNodeValue<T, F>(store: NodeValueStore<T> | null, id: string, fallback: F): T | F {
  const subscribe = useMemo(() => (store ? (fn: () => void) => store.subscribe(id, fn) : noSubscription), [store, id]);
  const read = () => store?.get(id) ?? fallback;
  return useSyncExternalStore(subscribe, read, read);
}
