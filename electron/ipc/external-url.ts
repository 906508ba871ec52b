/**
 * Whether a link may be handed to the system browser: an https URL with a host name and no user name or password
 * (which could disguise where it leads). Anything else (file:, javascript:, custom schemes) is refused.
 */
export function isPlainHttpsUrl(value: string): boolean {
  if (value.length > 2048) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
}
