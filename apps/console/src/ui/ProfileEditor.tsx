import { useId, useState } from 'react';
import { api, ApiError, type AdminDocument } from './api.ts';
import { lineDiff } from './line-diff.ts';
import { applyProfileEdit, fieldOfError, readProfile, type ProfileEdit, type ProfileFields } from './profile-xml.ts';

type Tab = 'form' | 'xml' | 'versions';
type Field = 'name' | 'preSelected' | 'groups';

/**
 * Admin edit of a user profile document (offline configuration, TS 23.280 clause 10.1.4.1) through
 * the CMS admin API: as a form (profile name, pre-selected, groups; partner systems read only) or
 * as XML, saved with a conditional PUT (If-Match); its kept versions and a diff of two of them.
 */
export function ProfileEditor({ system, selector }: { system: string; selector: string }) {
  const [doc, setDoc] = useState<AdminDocument | undefined>();
  const [body, setBody] = useState('');
  const [tab, setTab] = useState<Tab>('form');
  const [status, setStatus] = useState<string | undefined>();
  const [error, setError] = useState<{ field?: Field; text: string } | undefined>();
  const base = useId();

  async function load() {
    setStatus(undefined);
    setError(undefined);
    try {
      const d = await api.getDocument(system, selector);
      setDoc(d);
      setBody(d.body);
    } catch (err) {
      setStatus(`cannot load: ${(err as Error).message}`);
    }
  }

  async function save(e: React.FormEvent) {
    e.preventDefault();
    if (!doc) return;
    setError(undefined);
    setStatus(undefined);
    try {
      const saved = await api.putDocument(system, selector, body, doc.etag);
      setStatus(
        saved.unchanged
          ? `unchanged: version ${saved.version ?? '?'} stays current (nothing saved), ETag ${saved.etag}`
          : `saved: version ${saved.version ?? '?'}, ETag ${saved.etag}`,
      );
      // The new version in the versions list (and the ETag for the next If-Match).
      const d = await api.getDocument(system, selector);
      setDoc(d);
      setBody(d.body);
    } catch (err) {
      const text = err instanceof ApiError ? `${err.error ?? err.status}: ${err.detail}` : (err as Error).message;
      const field = err instanceof ApiError && err.status === 409 ? fieldOfError(err.detail) : undefined;
      setError({ ...(field ? { field } : {}), text: `refused: ${text}` });
    }
  }

  let fields: ProfileFields | undefined;
  let formProblem: string | undefined;
  try {
    if (doc) fields = readProfile(body);
  } catch (err) {
    formProblem = (err as Error).message;
  }
  const edit = (change: ProfileEdit) => {
    try {
      setBody(applyProfileEdit(body, change));
      setError(undefined);
    } catch (err) {
      setError({ text: (err as Error).message });
    }
  };
  const fieldError = (f: Field) =>
    error?.field === f ? (
      <p className="field-error" role="alert" id={`${base}-${f}-error`}>
        {error.text}
      </p>
    ) : null;

  return (
    <div>
      <h3>Active profile in {system} (admin)</h3>
      <p className="mono muted">{selector}</p>
      {!doc ? (
        <button type="button" onClick={load}>
          Edit profile as admin
        </button>
      ) : (
        <>
          <div role="tablist" aria-label="Profile views">
            {(['form', 'xml', 'versions'] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                id={`${base}-tab-${t}`}
                aria-selected={tab === t}
                aria-controls={`${base}-panel`}
                onClick={() => setTab(t)}
              >
                {t === 'form' ? 'Form' : t === 'xml' ? 'XML' : 'Versions'}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${tab}`}>
            {tab === 'versions' ? (
              <Versions system={system} selector={selector} doc={doc} />
            ) : (
              <form onSubmit={save} aria-label="Edit user profile" className="profile-form">
                <p className="muted">
                  version {doc.version ?? '?'}, ETag <span className="mono">{doc.etag}</span>
                </p>
                {error && !error.field ? (
                  <p className="error" role="alert">
                    {error.text}
                  </p>
                ) : null}
                {tab === 'xml' ? (
                  <>
                    <label htmlFor={`${base}-xml`}>Profile document (XML)</label>
                    <textarea id={`${base}-xml`} value={body} onChange={(e) => setBody(e.target.value)} spellCheck={false} />
                  </>
                ) : fields ? (
                  <ProfileForm fields={fields} base={base} edit={edit} fieldError={fieldError} />
                ) : (
                  <p className="error">The form cannot show this document ({formProblem}); edit it in the XML view.</p>
                )}
                <div className="inline">
                  <button className="primary" type="submit">
                    Save profile
                  </button>{' '}
                  <button type="button" onClick={load}>
                    Reload
                  </button>
                </div>
              </form>
            )}
          </div>
        </>
      )}
      {status ? <p role="status">{status}</p> : null}
    </div>
  );
}

function ProfileForm({
  fields,
  base,
  edit,
  fieldError,
}: {
  fields: ProfileFields;
  base: string;
  edit: (e: ProfileEdit) => void;
  fieldError: (f: Field) => React.ReactNode;
}) {
  const [group, setGroup] = useState('');
  return (
    <>
      <div className="field">
        <label htmlFor={`${base}-name`}>Profile name</label>
        <input
          id={`${base}-name`}
          type="text"
          value={fields.name}
          onChange={(e) => edit({ field: 'name', value: e.target.value })}
          aria-describedby={`${base}-name-error`}
        />
        {fieldError('name')}
      </div>
      <div className="field">
        <label htmlFor={`${base}-pre`} style={{ flexDirection: 'row', alignItems: 'center' }}>
          <input
            id={`${base}-pre`}
            type="checkbox"
            checked={fields.preSelected}
            onChange={(e) => edit({ field: 'preSelected', value: e.target.checked })}
          />
          Pre-selected
        </label>
        {fieldError('preSelected')}
      </div>
      <fieldset className="field">
        <legend>Groups</legend>
        <ul>
          {fields.groups.map((g) => (
            <li key={g.uri}>
              <span className="mono">{g.uri}</span> {g.displayName ? <span className="muted">{g.displayName}</span> : null}{' '}
              <button type="button" onClick={() => edit({ field: 'removeGroup', uri: g.uri })} aria-label={`Remove group ${g.uri}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <div className="inline">
          <label htmlFor={`${base}-group`}>
            Add group (MC group ID)
            <input id={`${base}-group`} type="text" value={group} onChange={(e) => setGroup(e.target.value)} placeholder="sip:group@domain" />
          </label>
          <button
            type="button"
            disabled={!group.trim()}
            onClick={() => {
              edit({ field: 'addGroup', uri: group.trim() });
              setGroup('');
            }}
          >
            Add group
          </button>
        </div>
        {fieldError('groups')}
      </fieldset>
      <div className="field">
        <span className="muted">Partner MC systems (read only): </span>
        {fields.partners.length ? fields.partners.map((p) => <span key={p} className="mono">{p} </span>) : 'none'}
      </div>
    </>
  );
}

/** The document's kept versions and a unified line diff of two of them. */
function Versions({ system, selector, doc }: { system: string; selector: string; doc: AdminDocument }) {
  const history = doc.history ?? [];
  const latest = history.at(-1)?.version ?? doc.version ?? 1;
  const [from, setFrom] = useState(history.at(-2)?.version ?? latest);
  const [to, setTo] = useState(latest);
  const [diff, setDiff] = useState<ReturnType<typeof lineDiff> | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const fromId = useId();
  const toId = useId();
  async function show() {
    setProblem(undefined);
    try {
      const [a, b] = await Promise.all([api.getVersion(system, selector, from), api.getVersion(system, selector, to)]);
      setDiff(lineDiff(a.body, b.body));
    } catch (err) {
      setProblem((err as Error).message);
    }
  }
  const option = (v: { version: number; createdAt: string }) => (
    <option key={v.version} value={v.version}>
      version {v.version} ({new Date(v.createdAt).toLocaleString()})
    </option>
  );
  return (
    <div>
      <ol aria-label="Versions" className="versions">
        {history.map((v) => (
          <li key={v.version} data-testid={`version-${v.version}`} value={v.version}>
            version {v.version} <span className="mono muted">{v.etag}</span> <span className="muted">{new Date(v.createdAt).toLocaleString()}</span>
            {v.version === doc.version ? ' (current)' : ''}
          </li>
        ))}
      </ol>
      <div className="inline">
        <div className="field">
          <label htmlFor={fromId}>Old version</label>
          <select id={fromId} value={from} onChange={(e) => setFrom(Number(e.target.value))}>
            {history.map(option)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={toId}>New version</label>
          <select id={toId} value={to} onChange={(e) => setTo(Number(e.target.value))}>
            {history.map(option)}
          </select>
        </div>
        <button type="button" onClick={() => void show()}>
          Show diff
        </button>
      </div>
      {problem ? <p className="error" role="alert">{problem}</p> : null}
      {diff ? (
        <div className="diff" data-testid="version-diff" aria-label={`Diff of version ${from} and version ${to}`}>
          {diff.every((l) => l.op === ' ') ? <div className="muted">the two versions are equal</div> : null}
          {diff.map((l, i) => (
            <div key={i} className={l.op === '+' ? 'add' : l.op === '-' ? 'del' : undefined}>
              {l.op} {l.text}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
