export {
  Permission,
  KNOWN_ROLES,
  ROLE_PATTERN,
  permissionsOfRoles,
  rolesGrant,
  type KnownRole,
} from './permissions';
export {
  generateApiKeyToken,
  hashApiKeyToken,
  apiKeyHashMatches,
  secretsEqual,
  type NewApiKeyToken,
} from './api-key-token';
export { hashPassword, verifyPassword, checkLoginPassword, MIN_PASSWORD_LENGTH } from './password';
