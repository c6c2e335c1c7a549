/**
 * A small typed event emitter for objects that exist once per connection (the protocol sessions).
 *
 * Why not node:events: an EventEmitter keeps its listeners in a null-prototype object, which V8 holds in
 * dictionary mode from birth. With a session's dozen events wired that store is about 0.45 KB per connection,
 * 2,000 players or more on a node. Here the listeners sit in an ordinary object whose properties are only ever
 * added (a removed listener leaves `undefined`, never a `delete`), so every session wired in the same order
 * shares one hidden class and the store stays a plain property array.
 *
 * Semantics kept from node:events where callers rely on them: listeners run in registration order with the
 * emitter as `this`, `once` listeners can be removed by the function they wrap, a listener added during an
 * emit does not run in that emit, and `emit` tells whether anyone listened. Not kept: 'error' throwing when
 * unheard (sessions report failures as return values and typed events), max-listener warnings.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- listener arguments are typed per event by the map
type AnyListener = (...args: any[]) => void;
type OnceWrapper = AnyListener & { listener?: AnyListener };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same map constraint node:events uses
export class TypedEmitter<Events extends Record<keyof Events, any[]>> {
  private readonly handlers: Record<string, AnyListener | AnyListener[] | undefined> = {};

  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    const current = this.handlers[event];
    if (current === undefined) this.handlers[event] = listener;
    else if (typeof current === 'function') this.handlers[event] = [current, listener];
    else current.push(listener);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    const wrapper: OnceWrapper = (...args: Events[K]) => {
      this.off(event, wrapper);
      listener.apply(this, args);
    };
    wrapper.listener = listener;
    return this.on(event, wrapper);
  }

  /** Removes the most recently added registration of `listener` (or of a `once` wrapping it). */
  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    const current = this.handlers[event];
    const matches = (l: AnyListener): boolean => l === listener || (l as OnceWrapper).listener === listener;
    if (current === undefined) return this;
    if (typeof current === 'function') {
      if (matches(current)) this.handlers[event] = undefined;
      return this;
    }
    for (let i = current.length - 1; i >= 0; i--) {
      if (!matches(current[i]!)) continue;
      // A new array: an emit in progress iterates the one it started with.
      const rest = current.slice(0, i).concat(current.slice(i + 1));
      this.handlers[event] = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : rest;
      break;
    }
    return this;
  }

  emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    const current = this.handlers[event];
    if (current === undefined) return false;
    if (typeof current === 'function') {
      current.apply(this, args);
      return true;
    }
    // push() on registration mutates the array: take the listeners present now.
    const listeners = current.slice();
    for (let i = 0; i < listeners.length; i++) listeners[i]!.apply(this, args);
    return true;
  }

  listenerCount<K extends keyof Events & string>(event: K): number {
    const current = this.handlers[event];
    return current === undefined ? 0 : typeof current === 'function' ? 1 : current.length;
  }
}
