import { parseArgs } from 'node:util';
import type { AccountInput, AccountView, DiscoveryResult } from '../../shared/types/account.js';
import type { AuthMethod, SecurityChoice } from '../../shared/types/security.js';
import { AccountsService } from '../core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../core/accounts/account-store.js';
import { discoverSubmission } from '../core/accounts/discover.js';
import { testAccount } from '../core/accounts/test-account.js';
import { dataDir } from '../core/data-dir.js';
import { createResolver, parseResolverAddress, systemResolverAddress } from '../core/dns/dns-client.js';
import { visible, visibleData } from '../core/report/visible.js';
import { HoplightError, inputError } from '../core/errors.js';
import { MAX_CA_FILE_BYTES, readLocalFile } from '../core/files/local-file.js';
import { EXIT } from '../core/exit-codes.js';
import { KeyringCredentialStore } from '../adapters/keyring-credential-store.js';
import { readPasswordFromStdin, terminalStyle } from './terminal.js';

/** `hoplight accounts --help`. */
export const ACCOUNTS_USAGE = `Usage:
  hoplight accounts add --name NAME --from ADDR [--from-name NAME] --host H --port P --security implicit|starttls
                        --user U (--password-stdin | --ask-password) [--auth auto|PLAIN|LOGIN]
                        [--ca FILE] [--pin SHA256] [--default-security require-tls|default|tls-optional]
  hoplight accounts discover ADDR [--resolver IP[:PORT]] [--json]
  hoplight accounts list [--json]
  hoplight accounts show NAME [--json]
  hoplight accounts test NAME [--password-stdin] [--json]
  hoplight accounts password NAME (--password-stdin | --delete)
  hoplight accounts remove NAME

Passwords live only in the operating system's keychain (service "hoplight"). Without a keychain, Hoplight says so
and stores nothing; --ask-password makes an account ask at each send instead.`;

/** Opens the accounts file and the keychain. */
export function openAccounts(): AccountsService {
  return new AccountsService(() => new AccountStore(openAccountsFile(dataDir())), new KeyringCredentialStore());
}

function parse(args: readonly string[], options: NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>) {
  try {
    return parseArgs({ args: [...args], strict: true, allowPositionals: true, options });
  } catch (error) {
    throw new HoplightError('EINPUT', `${(error as Error).message}\n\n${ACCOUNTS_USAGE}`);
  }
}

function print(value: unknown, json: boolean, text: () => string): void {
  // Accounts hold what discovery found (DNS, autoconfig over HTTPS): shown only as visible text.
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text().split('\n').map(visible).join('\n')}\n`);
}

function describeAccount(a: AccountView): string {
  const password = a.passwordStorage === 'ask' ? 'asked at each send' : a.passwordStored === 'unknown' ? 'in the keychain? (the keychain could not be asked)' : a.passwordStored ? 'stored in the keychain' : 'missing from the keychain';
  return [
    `${a.name}`,
    `  From:      ${a.fromName ? `${a.fromName} <${a.fromAddress}>` : a.fromAddress}`,
    `  Server:    ${a.host}:${a.port} (${a.security === 'implicit' ? 'implicit TLS' : 'STARTTLS'})`,
    `  User:      ${a.user} (AUTH ${a.authMethod})`,
    ...(a.caFile ? [`  Extra CA:  ${a.caFile}`] : []),
    ...(a.pinSha256 ? [`  Pinned:    ${a.pinSha256}`] : []),
    `  Security:  ${a.defaultSecurity} for new messages`,
    `  Password:  ${password}`,
  ].join('\n');
}

function describeDiscovery(result: DiscoveryResult): string {
  const lines = [`Submission servers for ${result.address}:`];
  if (result.candidates.length === 0) lines.push('  none found');
  result.candidates.forEach((c, i) => lines.push(`  ${i + 1}. ${c.host}:${c.port} ${c.security === 'implicit' ? 'implicit TLS' : 'STARTTLS'}${c.user ? `, user ${c.user}` : ''}  (from ${c.source})`));
  lines.push('', 'Looked at:', ...result.steps.map((s) => `  ${s.what}: ${s.outcome}`));
  const best = result.candidates[0];
  if (best) {
    lines.push('', 'If this is right, add it (the password is read from standard input):', `  hoplight accounts add --name NAME --from ${result.address} --host ${best.host} --port ${best.port} --security ${best.security} --user ${best.user ?? result.address} --password-stdin`);
  }
  return lines.join('\n');
}

/** Runs `hoplight accounts …`; returns the exit code. */
export async function runAccounts(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add': {
      const { values } = parse(rest, {
        name: { type: 'string' }, from: { type: 'string' }, 'from-name': { type: 'string' }, host: { type: 'string' }, port: { type: 'string' },
        security: { type: 'string' }, user: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'ask-password': { type: 'boolean' },
        auth: { type: 'string' }, ca: { type: 'string' }, pin: { type: 'string' }, 'default-security': { type: 'string' }, json: { type: 'boolean' },
      });
      const need = (key: string): string => {
        const value = values[key];
        if (typeof value !== 'string' || value === '') throw inputError(key, `--${key} is required.`);
        return value;
      };
      if (values['password-stdin'] === values['ask-password']) throw inputError('password', 'give exactly one of --password-stdin (stored in the keychain) and --ask-password (asked at each send).');
      const security = need('security');
      if (security !== 'implicit' && security !== 'starttls') throw inputError('security', 'must be implicit or starttls.');
      const defaultSecurity = (values['default-security'] as string | undefined) ?? 'default';
      if (!['require-tls', 'default', 'tls-optional'].includes(defaultSecurity)) throw inputError('default-security', 'must be require-tls, default or tls-optional.');
      const authMethod = (values.auth as string | undefined) ?? 'auto';
      if (!['auto', 'PLAIN', 'LOGIN'].includes(authMethod)) throw inputError('auth', 'must be auto, PLAIN or LOGIN.');
      const input: AccountInput = {
        name: need('name'),
        fromAddress: need('from'),
        ...(values['from-name'] ? { fromName: values['from-name'] as string } : {}),
        host: need('host'),
        port: Number(need('port')),
        security,
        user: need('user'),
        authMethod: authMethod as AuthMethod,
        ...(values.ca ? { caFile: values.ca as string } : {}),
        ...(values.pin ? { pinSha256: values.pin as string } : {}),
        defaultSecurity: defaultSecurity as SecurityChoice,
        passwordStorage: values['ask-password'] ? 'ask' : 'keychain',
      };
      const service = openAccounts();
      const password = values['password-stdin'] ? await readPasswordFromStdin() : undefined;
      const account = await service.add(input, password);
      const view = await service.show(account.id);
      print(view, values.json === true, () => `Added.\n${describeAccount(view)}\nSettings: ${service.store.path}`);
      return EXIT.accepted;
    }
    case 'discover': {
      const { values, positionals } = parse(rest, { resolver: { type: 'string' }, json: { type: 'boolean' }, ca: { type: 'string' } });
      if (positionals.length !== 1 || !positionals[0]) throw inputError('address', 'give one e-mail address.');
      const address = values.resolver ? parseResolverAddress(values.resolver as string) : systemResolverAddress();
      const extraCaPem = values.ca ? (await readLocalFile('ca', values.ca as string, MAX_CA_FILE_BYTES)).toString('utf8') : undefined;
      const result = await discoverSubmission(positionals[0], { resolver: createResolver(address), ...(extraCaPem ? { extraCaPem } : {}) });
      print(result, values.json === true, () => describeDiscovery(result));
      return EXIT.accepted;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } });
      const accounts = await openAccounts().list();
      print(accounts, values.json === true, () => (accounts.length ? accounts.map(describeAccount).join('\n\n') : 'No accounts yet. Add one with "hoplight accounts add" (or find its server with "hoplight accounts discover ADDRESS").'));
      return EXIT.accepted;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } });
      const view = await openAccounts().show(positionals[0] ?? '');
      print(view, values.json === true, () => describeAccount(view));
      return EXIT.accepted;
    }
    case 'test': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, 'password-stdin': { type: 'boolean' } });
      const service = openAccounts();
      const account = service.store.find(positionals[0] ?? '');
      const password = await service.passwordForSend(account, values['password-stdin'] ? await readPasswordFromStdin() : undefined);
      const result = await testAccount(account, password);
      const style = terminalStyle();
      const shown = visibleData(result); // server replies and certificate fields: visible text only
      if (values.json) print(result, true, () => '');
      else process.stdout.write(`${[`Testing ${shown.account} (no mail is sent):`, ...shown.steps.map((s) => `  ${s.ok ? style.good('ok  ') : style.bad('FAIL')} ${s.step}: ${s.detail}`)].join('\n')}\n`);
      return result.ok ? EXIT.accepted : EXIT.connectionFailed;
    }
    case 'password': {
      const { values, positionals } = parse(rest, { 'password-stdin': { type: 'boolean' }, delete: { type: 'boolean' } });
      if (values['password-stdin'] === values.delete) throw inputError('password', 'give --password-stdin (store or replace) or --delete.');
      const service = openAccounts();
      const name = positionals[0] ?? '';
      if (values.delete) {
        const deleted = await service.deletePassword(name);
        process.stdout.write(`${deleted ? 'Deleted the password from the keychain.' : 'No password was stored.'} The account now asks for it at each send.\n`);
      } else {
        await service.setPassword(name, await readPasswordFromStdin());
        process.stdout.write('Stored the password in the keychain.\n');
      }
      return EXIT.accepted;
    }
    case 'remove': {
      const { positionals } = parse(rest, {});
      const removed = await openAccounts().remove(positionals[0] ?? '');
      process.stdout.write(`Removed account "${visible(removed.name)}"${removed.passwordStorage === 'keychain' ? ' and its password in the keychain' : ''}.\n`);
      return EXIT.accepted;
    }
    default:
      process.stderr.write(`${sub ? `Unknown accounts command "${sub}".\n\n` : ''}${ACCOUNTS_USAGE}\n`);
      return sub ? EXIT.badInput : EXIT.accepted;
  }
}
