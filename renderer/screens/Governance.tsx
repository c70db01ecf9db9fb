/**
 * Governance: my cooperatives (create one, invite, join by link, delegate my vote), their members and parameters;
 * proposals with filters; a proposal with its live tally, ranked-choice rounds and quorum progress, voting (yes/no,
 * approval or a ranked ballot) with a reason; a step-by-step wizard for every kind of proposal. Everything follows
 * `gov:*` events live. The parts live in ./governance/.
 */
export { Governance } from './governance/list'
export { Proposal } from './governance/proposal'
export { Invite, JoinForm } from './governance/scopes'
