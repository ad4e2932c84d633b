/**
 * Subscriptions in the partner MC system (TS 24.484 clause 4.2.2.1.2.1): the same SUBSCRIBEs as
 * at home (online-configuration/subscribe.ts) to the partner CMS and GMS, with the partner token.
 * The user profile used there is the partner's document (NOTE 1), not the one used for access;
 * its NOTIFYs keep being applied while the UE stays (NOTE 2).
 */
import { subscribeServer } from '../online-configuration/subscribe.ts';
import type { Step } from '../ue/step-runner.ts';
import type { MigrationContext } from './context.ts';

export const subscribePartnerCmsStep: Step<MigrationContext> = {
  name: 'subscribe-partner-cms',
  clause: 'TS 24.484 4.2.2.1.2.1, 6.3.13.2.2',
  async run({ ue, session }) {
    await subscribeServer(ue, session!, 'cms', 'subscribe-partner-cms');
    return undefined;
  },
};

export const subscribePartnerGmsStep: Step<MigrationContext> = {
  name: 'subscribe-partner-gms',
  clause: 'TS 24.484 4.2.2.1.2.1; TS 24.481 6.3.13',
  async run({ ue, session }) {
    if (session!.gmsPsi && session!.gmsXcapRoot) await subscribeServer(ue, session!, 'gms', 'subscribe-partner-gms');
    return undefined;
  },
};
