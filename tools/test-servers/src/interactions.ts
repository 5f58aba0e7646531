import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The login and consent pages of the test authorization server, in the shape of a real
 * provider's: a login form (any password is accepted; the login name becomes the account id, and
 * should be an e-mail address) and a consent form with Allow and Deny buttons.
 */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  // The login name is pre-filled from login_hint, as real providers do.
  const { uid, prompt, params } = details;
  res.setHeader('cache-control', 'no-store');
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (prompt.name === 'login') {
      res.end(
        page(
          'Sign in',
          `<form method="post" action="/interaction/${uid}">
<label>E-mail <input id="login" name="login" type="email" value="${escapeHtml(String(params.login_hint ?? ''))}" autofocus required></label>
<label>Password <input id="password" name="password" type="password" required></label>
<button id="sign-in" type="submit" name="decision" value="login">Sign in</button>
</form>`,
        ),
      );
    } else {
      res.end(
        page(
          'Authorize access',
          `<p>The application <b>${escapeHtml(String(params.client_id))}</b> asks for: <span id="scopes">${escapeHtml(String(params.scope ?? ''))}</span></p>
<form method="post" action="/interaction/${uid}">
<button id="allow" type="submit" name="decision" value="allow">Allow</button>
<button id="deny" type="submit" name="decision" value="deny">Deny</button>
</form>`,
        ),
      );
    }
    return;
  }
  const form = await readForm(req);
  const decision = form.get('decision');
  if (prompt.name === 'login') {
    const login = form.get('login');
    if (!login) {
      res.statusCode = 400;
      res.end('login required');
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: login } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (decision === 'deny') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user denied the request' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const accountId = details.session?.accountId;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: String(params.client_id) });
  if (!grant) throw new Error('grant not found');
  const missing = prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
