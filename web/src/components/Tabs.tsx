import { type KeyboardEvent, type ReactNode, useRef } from 'react';

export interface TabDef {
  id: string;
  label: string;
  render: () => ReactNode;
}

/**
 * WAI-ARIA tabs: one tab stop for the list, arrow keys (and Home/End) move between tabs and
 * show them; only the chosen panel is drawn. `id` prefixes the tab and panel ids.
 */
export function Tabs({
  id,
  label,
  tabs,
  current,
  onChange,
}: {
  id: string;
  label: string;
  tabs: TabDef[];
  current: string;
  onChange: (tabId: string) => void;
}) {
  const refs = useRef(new Map<string, HTMLButtonElement>());
  const active = tabs.find((t) => t.id === current) ?? tabs[0];
  if (!active) return null;

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = tabs.findIndex((t) => t.id === active.id);
    const next =
      e.key === 'ArrowRight'
        ? tabs[(i + 1) % tabs.length]
        : e.key === 'ArrowLeft'
          ? tabs[(i - 1 + tabs.length) % tabs.length]
          : e.key === 'Home'
            ? tabs[0]
            : e.key === 'End'
              ? tabs[tabs.length - 1]
              : undefined;
    if (!next) return;
    e.preventDefault();
    onChange(next.id);
    refs.current.get(next.id)?.focus();
  };

  return (
    <div className="tabs">
      <div role="tablist" aria-label={label} className="tablist" onKeyDown={onKey}>
        {tabs.map((t) => {
          const selected = t.id === active.id;
          return (
            <button
              key={t.id}
              ref={(el) => {
                if (el) refs.current.set(t.id, el);
                else refs.current.delete(t.id);
              }}
              type="button"
              role="tab"
              id={`${id}-tab-${t.id}`}
              aria-selected={selected}
              aria-controls={`${id}-panel-${t.id}`}
              tabIndex={selected ? 0 : -1}
              className="tab"
              onClick={() => onChange(t.id)}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`${id}-panel-${active.id}`} aria-labelledby={`${id}-tab-${active.id}`} tabIndex={0}>
        {active.render()}
      </div>
    </div>
  );
}
