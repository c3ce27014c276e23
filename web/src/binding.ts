/** The keys of `S` whose values are exactly `V` (plain strings, not unions of literals). */
export type KeysOf<S, V> = { [K in keyof S]-?: [V] extends [S[K]] ? ([S[K]] extends [V] ? K : never) : never }[keyof S];

export type Setter<S> = <K extends keyof S>(key: K, value: S[K]) => void;

/**
 * Binds form state to controls: `text(k)` gives an input, textarea or select its value and
 * onChange, `check(k)` a checkbox its checked and onChange; one spread per field.
 */
export function binder<S>(form: S, set: Setter<S>) {
  return {
    text: (k: KeysOf<S, string>) => ({
      value: form[k] as string,
      onChange: (e: { target: { value: string } }) => set(k, e.target.value as S[typeof k]),
    }),
    check: (k: KeysOf<S, boolean>) => ({
      checked: form[k] as boolean,
      onChange: (e: { target: { checked: boolean } }) => set(k, e.target.checked as S[typeof k]),
    }),
  };
}
