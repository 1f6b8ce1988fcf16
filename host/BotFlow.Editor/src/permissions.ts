// What each role may do in the editor (docs/security.md's table), in one place. The host enforces the same rules;
// this only hides or disables what would be refused anyway, so a viewer never meets a 403.
import { createContext, useContext } from 'react';

export interface Permissions {
  /** Flows, fields, secret names, block types, executions: every GET of the configuration (admin, editor, viewer). */
  readConfig: boolean;
  /** Create, save, import, duplicate, delete and validate flows (admin, editor). */
  editFlows: boolean;
  /** Create, change and delete registration fields (admin, editor). */
  editFields: boolean;
  /** The Integration block's live preview, Test and script run call the partner or the engine (admin, editor). */
  testIntegrations: boolean;
  /** Set, replace and delete secrets (admin only). */
  writeSecrets: boolean;
  /** Create, change and delete channels (admin only); everyone who reads the configuration sees them. */
  editChannels: boolean;
  /** Send messages and restart in the simulator: the conversation endpoint (admin, editor, channel). */
  converse: boolean;
}

const NONE: Permissions = { readConfig: false, editFlows: false, editFields: false, testIntegrations: false, writeSecrets: false, editChannels: false, converse: false };

const BY_ROLE: Record<string, Permissions> = {
  admin: { readConfig: true, editFlows: true, editFields: true, testIntegrations: true, writeSecrets: true, editChannels: true, converse: true },
  editor: { readConfig: true, editFlows: true, editFields: true, testIntegrations: true, writeSecrets: false, editChannels: false, converse: true },
  viewer: { ...NONE, readConfig: true },
  channel: { ...NONE, converse: true },
};

/** An unknown role gets nothing: the host would refuse it everything too. */
export const permissionsFor = (role: string): Permissions => BY_ROLE[role] ?? NONE;

export const PermissionsContext = createContext<Permissions>(BY_ROLE.admin);

export const usePermissions = () => useContext(PermissionsContext);
