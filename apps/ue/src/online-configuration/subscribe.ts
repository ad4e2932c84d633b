/**
 * Subscribing to configuration documents:
 * - CMS, as subscription proxy (TS 24.484 clause 6.3.13.2.2): ONE SUBSCRIBE (Event: xcap-diff,
 *   Accept: xcap-diff + message/external-body) to the CMS PSI whose multipart/mixed body lists
 *   the UE configuration, the user profiles and the service configuration (resource-lists) and
 *   carries the access token (mcptt-info);
 * - GMS (TS 24.481 clause 6.3.13): one SUBSCRIBE for the collection of the user's groups.
 * The step completes when the SUBSCRIBE got its 2xx and the initial (full-state) NOTIFY was
 * applied: every document it names is held (fetched, retried when a GET failed transiently). A
 * document that could not be fetched fails the step (its reason names the GET), so the UE never
 * becomes STABLE without a document it subscribed to (TS 24.484 4.2.2.1.1 step 4: the CMC
 * "downloads" the documents before it is configured); their protected copies are on disk before the
 * step completes.
 */
import { AUID, mcpttInfoWithAccessToken, resourceListsOf, serializeMcpttInfo, serializeResourceLists, SERVICE_CONFIG_DOCUMENT_NAME, userProfileDocumentName } from '@mcx/documents';
import {
  buildMultipart,
  MCPTT_INFO_CONTENT_TYPE,
  RESOURCE_LISTS_CONTENT_TYPE,
  subscribe,
  XCAP_DIFF_ACCEPT,
  XCAP_DIFF_EVENT,
  type IncomingNotify,
  type SubscriptionHandle,
  type TerminationInfo,
} from '@mcx/sip';
import { formatDocumentSelector } from '@mcx/xcap';
import { classify, sipFailure } from '../ue/classify.ts';
import { onNotify, onTerminated, type SyncUe } from '../ue/document-sync.ts';
import type { HostServices } from '../ue/host-services.ts';
import type { SystemSession } from '../ue/session.ts';
import { StepError, type StepName } from '../ue/states.ts';
import type { Step } from '../ue/step-runner.ts';
import type { ConfigurationContext } from './context.ts';

/** The documents a CMC subscribes to in a system (TS 24.484 clause 4.2.2.1.1 / 4.2.2.1.2). */
export function cmsDocumentUris(mcpttId: string, profileIndexes: readonly number[]): string[] {
  return [
    formatDocumentSelector({ auid: AUID.ueConfig, tree: 'users', xui: mcpttId, path: ['ue-config.xml'] }),
    ...profileIndexes.map((i) => formatDocumentSelector({ auid: AUID.userProfile, tree: 'users', xui: mcpttId, path: [userProfileDocumentName(i)] })),
    formatDocumentSelector({ auid: AUID.serviceConfig, tree: 'global', path: [SERVICE_CONFIG_DOCUMENT_NAME] }),
  ];
}

/** "All the groups I am a member of" (apps/gms: a collection URI). */
export const GMS_GROUPS_COLLECTION = `${AUID.groups}/global/byGroupID/`;

export interface DocumentSubscription {
  handle: SubscriptionHandle;
  /** Resolves when the initial NOTIFY was applied. */
  initial: Promise<void>;
}

export function subscribeDocuments(
  host: HostServices,
  ueId: string,
  session: SystemSession,
  server: 'cms' | 'gms',
  uris: readonly string[],
  step: StepName,
  onNotify: (n: IncomingNotify) => Promise<unknown>,
  onTerminated: (info: TerminationInfo) => void,
  /** Told the duration of each phase: `SUBSCRIBE` (sent → 2xx), `NOTIFY` (sent → initial NOTIFY), `GET` (initial NOTIFY applied). */
  phase: (name: 'SUBSCRIBE' | 'NOTIFY' | 'GET', ms: number) => void = () => undefined,
): DocumentSubscription {
  const psi = server === 'cms' ? session.cmsPsi : session.gmsPsi;
  if (!psi) throw new StepError(step, `the UE initial configuration of ${session.systemId} names no ${server.toUpperCase()} PSI`, false);
  let target;
  try {
    target = host.route(psi);
  } catch (err) {
    throw new StepError(step, (err as Error).message, false);
  }
  const lists = serializeResourceLists(resourceListsOf(uris));
  let first: () => void = () => undefined;
  let firstFailed: (e: StepError) => void = () => undefined;
  const initial = new Promise<void>((resolve, reject) => {
    first = resolve;
    firstFailed = reject;
  });
  let notified = false;
  const sent = performance.now();
  const since = (t: number) => Math.round((performance.now() - t) * 10) / 10;
  const handle = subscribe({
    endpoint: host.endpoint,
    uri: psi,
    target,
    from: `<${session.mcpttId}>`,
    event: XCAP_DIFF_EVENT,
    accept: XCAP_DIFF_ACCEPT,
    expires: host.config.subscriptionExpires,
    contactUser: ueId,
    headers: { 'P-Preferred-Service': 'urn:urn-7:3gpp-service.ims.icsi.mcptt' },
    // A fresh token in every SUBSCRIBE (initial and refresh).
    body: () =>
      buildMultipart([
        { contentType: RESOURCE_LISTS_CONTENT_TYPE, body: lists },
        { contentType: MCPTT_INFO_CONTENT_TYPE, body: serializeMcpttInfo(mcpttInfoWithAccessToken(session.tokens?.accessToken ?? '')) },
      ]),
    async onNotify(n) {
      if (notified) {
        // A later NOTIFY: a failure was told by document-sync; the next NOTIFY or a sync repairs it.
        await onNotify(n).catch(() => undefined);
        return;
      }
      if (!n.body) {
        // No state in it (RFC 6665 clause 4.1.2.4: a pending subscription's NOTIFY may carry none):
        // not the full state the step waits for. One that ends the subscription ends the wait: the
        // UE does not become SUBSCRIBED without the documents (reason "rejected" / "noresource" is
        // definitive, any other is retried, RFC 6665 clause 4.1.3).
        const ss = n.subscriptionState;
        if (ss.state === 'terminated') {
          notified = true;
          const reason = ss.reason ?? 'no reason';
          firstFailed(new StepError(step, `the subscription ended (${reason}) before a NOTIFY brought the documents`, reason !== 'rejected' && reason !== 'noresource', ss.retryAfter !== undefined ? ss.retryAfter * 1000 : undefined));
        }
        return;
      }
      notified = true;
      phase('NOTIFY', since(sent));
      const arrived = performance.now();
      try {
        await onNotify(n);
        phase('GET', since(arrived));
        first();
      } catch (err) {
        const e = classify(step, err);
        // Charged to the subscribing step (the GET ran for it), its reason naming the GET.
        firstFailed(new StepError(step, e.reason, e.transient));
      }
    },
    onTerminated,
  });
  handle.ready.then(
    (res) => {
      phase('SUBSCRIBE', since(sent));
      if (res.status < 200 || res.status >= 300) firstFailed(sipFailure(step, res));
    },
    (err: unknown) => firstFailed(new StepError(step, String(err), true)),
  );
  // No NOTIFY within 64*T1 after the 2xx (RFC 6665 clause 4.1.2.4 allows the subscriber to give up).
  const guard = host.endpoint.scheduler.schedule(64 * host.endpoint.timers.t1 + 2000, () => {
    if (!notified) firstFailed(new StepError(step, 'no initial NOTIFY', true));
  });
  initial.then(
    () => guard.cancel(),
    () => guard.cancel(),
  );
  return { handle, initial };
}

/**
 * SUBSCRIBE to the documents `server` holds for the UE in the session's system (CMS: UE
 * configuration, user profiles, service configuration; GMS: the user's groups) and wait until the
 * initial NOTIFY was applied. Later NOTIFYs keep the copies current.
 */
export async function subscribeServer(ue: SyncUe, session: SystemSession, server: 'cms' | 'gms', step: StepName): Promise<void> {
  if (!session.mcpttId) throw new StepError(step, 'no MCPTT ID (not authenticated)', false);
  const uris = server === 'cms' ? cmsDocumentUris(session.mcpttId, ue.host.config.profileIndexes) : [GMS_GROUPS_COLLECTION];
  const sub = subscribeDocuments(
    ue.host,
    ue.id,
    session,
    server,
    uris,
    step,
    (n) => onNotify(ue, session, server, n),
    (info) => onTerminated(ue, session, server, info),
    (name, ms) => {
      if (ue.timings?.steps) ue.timings.steps[`${step}/${name}`] = ms;
    },
  );
  session[server] = sub.handle;
  await sub.initial;
  // The copies the initial NOTIFY brought are on disk before the step reports SUBSCRIBED (at-rest/protected-store.ts).
  await ue.copies.flush();
}

/** TS 24.484 4.2.2.1.1 step 4, CMS: one SUBSCRIBE to the CMS as subscription proxy (clause 6.3.13.2.2). */
export const subscribeCmsStep: Step<ConfigurationContext> = {
  name: 'subscribe-cms',
  clause: 'TS 24.484 4.2.2.1.1, 6.3.13.2.2',
  async run({ ue, session }) {
    await subscribeServer(ue, session!, 'cms', 'subscribe-cms');
    return undefined;
  },
};

/** TS 24.484 4.2.2.1.1 step 4, GMS (TS 24.481 clause 6.3.13): the user's groups, when the system names a GMS. */
export const subscribeGmsStep: Step<ConfigurationContext> = {
  name: 'subscribe-gms',
  clause: 'TS 24.484 4.2.2.1.1; TS 24.481 6.3.13',
  async run({ ue, session }) {
    if (session!.gmsPsi && session!.gmsXcapRoot) await subscribeServer(ue, session!, 'gms', 'subscribe-gms');
    return undefined;
  },
};
