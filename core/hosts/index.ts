export { hostsOfAgent, isMultiHost, placeAgent, placements, replicasOn, resolveHost, type SessionPlacement } from "./placement.js";
export { agentsWithLabels, effectiveLabels, noAgentWithLabels, parseNeeds } from "./labels.js";
export { HOST_BEAT_MS, hostLiveness, parseHostRecords, readHostRecords, type HostLiveness, type HostRecord } from "./host-record.js";
export {
  configStanding,
  readConfigVersion,
  recordConfigVersion,
  type ConfigStanding,
  type ConfigVersion,
  type RecordedConfig,
} from "./config-version.js";
export { holdField, parseHoldField } from "./hold-field.js";
export {
  posixShellWord,
  remoteAttachArgs,
  remoteAttachLine,
  remoteWindowSizeArgs,
  remoteWindowSizeLine,
  SSH_CONFIG_ENV,
  type RemoteAttach,
} from "./remote-attach.js";
