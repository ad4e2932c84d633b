/**
 * Online configuration in the primary MC system (TS 24.484 clause 4.2.2.1.1), also the return
 * home from a partner system: its steps in order, each in its own file citing its clause. Every
 * step is retried after a transient failure (ue/step-runner.ts); the partial session is ended
 * first unless the UE is configured in it.
 */
import { endSession } from '../ue/end-session.ts';
import type { Procedure } from '../ue/step-runner.ts';
import { authenticateStep } from './authenticate.ts';
import { authorizeServiceStep } from './authorize-service.ts';
import type { ConfigurationContext } from './context.ts';
import { fetchUeInitConfigStep } from './fetch-ue-init-config.ts';
import { subscribeCmsStep, subscribeGmsStep } from './subscribe.ts';

export type { ConfigurationContext } from './context.ts';

export const ONLINE_CONFIGURATION: Procedure<ConfigurationContext> = {
  describe: (ctx) => (ctx.returning ? 'return home' : 'online configuration'),
  prepare: [],
  attempt: [
    fetchUeInitConfigStep, //                          1. UE initial configuration (kept when held)
    authenticateStep, //                               2. MCS user authentication at the IdMS
    authorizeServiceStep, //                           3. service authorization (REGISTER with mcptt-info)
    {
      concurrently: [subscribeCmsStep, subscribeGmsStep], // 4. subscriptions, and the documents their NOTIFYs list
      done: ({ session }) => ({ event: 'SUBSCRIBED', text: `subscribed at ${session!.cmsPsi} and ${session!.gmsPsi}` }),
    },
  ],
  async cleanup({ ue, session }) {
    if (session && session !== ue.current) await endSession(ue.host, ue.id, session);
  },
};
