/**
 * Migration to a partner MC system (TS 24.484 clause 4.2.2.1.2): its steps in order, each in its
 * own file citing its clause. The selections run once (a refusal is definitive); the steps in the
 * partner run in a fresh partner session and are retried together after a transient failure
 * (ue/step-runner.ts), the partial session ended first. Everything in the partner is done before
 * the UE leaves its previous system, so a failure leaves it configured there (MIGRATION_FAILED).
 */
import { endSession } from '../ue/end-session.ts';
import { newSession } from '../ue/session.ts';
import type { Procedure } from '../ue/step-runner.ts';
import { migrationTokenStep, tokenExchangeStep } from './authenticate-partner.ts';
import { authorizeMigrationServiceStep } from './authorize-migration-service.ts';
import type { MigrationContext } from './context.ts';
import { selectPartnerStep } from './select-partner.ts';
import { selectProfileStep } from './select-profile.ts';
import { subscribePartnerCmsStep, subscribePartnerGmsStep } from './subscribe-partner.ts';

export type { MigrationContext } from './context.ts';

export const MIGRATION: Procedure<MigrationContext> = {
  describe: (ctx) => `migration to ${ctx.partner?.systemId ?? 'a partner MC system'}`,
  prepare: [
    selectPartnerStep, //                      4.2.2.1.2.2 partner MC system selection
    selectProfileStep, //                      4.2.2.1.2.3 user profile selection
  ],
  begin(ctx) {
    const partner = ctx.partner!;
    ctx.session = newSession(partner.systemId, 'partner', partner.entry.ueInitConfig, ctx.ue.http);
  },
  attempt: [
    migrationTokenStep, //                     4.2.2.1.2.1 authentication: the primary IdMS's token for the partner
    tokenExchangeStep, //                      4.2.2.1.2.1 authentication: the partner access token
    authorizeMigrationServiceStep, //          4.2.2.1.2.1 migration service authorization
    {
      concurrently: [subscribePartnerCmsStep, subscribePartnerGmsStep], // 4.2.2.1.2.1 subscriptions in the partner
      done: ({ session }) => ({ event: 'SUBSCRIBED', text: `subscribed at ${session!.cmsPsi} and ${session!.gmsPsi}` }),
    },
  ],
  async cleanup(ctx) {
    if (ctx.session) await endSession(ctx.ue.host, ctx.ue.id, ctx.session);
  },
};
