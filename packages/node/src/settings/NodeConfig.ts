import type { AccessPolicyConfig } from '@rtmp-cluster/auth';
import type { NODE_SETTINGS } from './schema.js';
import type { SettingValues } from './SettingSpec.js';

/**
 * The typed configuration the node consumes: one field per NODE_SETTINGS entry, plus the effective access
 * policy (publish/play auth), assembled from RTMPC_AUTH_CONFIG < the JSON config's `auth` object < the
 * RTMPC_PUBLISH_AUTH/RTMPC_PLAY_AUTH/RTMPC_AUTH_* shortcuts, with relayToken; undefined = no auth.
 */
export type NodeConfig = SettingValues<typeof NODE_SETTINGS> & { auth: AccessPolicyConfig | undefined };
