package corpus

// codeLangs are the fence languages articles use, most common first.
var codeLangs = []string{"powershell", "bash", "json", "python", "yaml", "javascript", "go", "sql"}

// snippets are code templates by language. Placeholders in braces are
// filled by codeFill; anything else in braces is kept as written.
var snippets = map[string][]string{
	"powershell": {
		`Connect-ExchangeOnline -UserPrincipalName {user}
{cmd} -Identity "{user2}" | Format-List {field}, {field2}`,
		`Connect-MgGraph -Scopes "Application.Read.All", "DelegatedPermissionGrant.ReadWrite.All"
$sp = Get-MgServicePrincipal -Filter "appId eq '{guid}'"
{cmd} -ServicePrincipalId $sp.Id |
    Where-Object { $_.Scope -like "*{Field}*" } |
    Select-Object ClientId, ConsentType, Scope`,
		`# {Comment}
$users = Get-Content .\users.txt
foreach ($u in $users) {
    {cmd} -Identity $u -{Field} ${bool}
    Write-Host "Updated $u"
}`,
	},
	"bash": {
		`curl -s -H "Authorization: Bearer $TOKEN" \
  "https://api.{domain}/v2/{res}?limit={num}" | jq '.items[] | {id, {field}}'`,
		`# {Comment}
export LIVE_TOKEN="$(cat ~/.config/app/token)"
for id in $(cat ids.txt); do
  curl -s -X POST "https://api.{domain}/v2/{res}/$id/{verb}" \
    -H "Authorization: Bearer $LIVE_TOKEN" || echo "failed: $id"
done`,
		`dig +short MX {domain}
dig +short TXT _app-challenge.{domain}
openssl s_client -connect imap.{domain}:993 -servername imap.{domain} </dev/null | head -n {num}`,
	},
	"json": {
		`{
  "id": "{guid}",
  "{field}": {bool},
  "{field2}": "{value}",
  "limits": { "{res}PerDay": {num}, "retryAfterSeconds": {num2} },
  "error": { "code": "{code}", "message": "{Comment}" }
}`,
		`{
  "event": "{res}.{verb}",
  "createdAt": "2025-0{digit}-1{digit}T0{digit}:30:00Z",
  "data": {
    "{field}": "{value}",
    "user": "{user}",
    "attempts": {num}
  }
}`,
	},
	"python": {
		`import os
import requests

resp = requests.get(
    "https://api.{domain}/v2/{res}",
    headers={"Authorization": "Bearer " + os.environ["API_TOKEN"]},
    params={"limit": {num}, "{field}": "{value}"},
    timeout=30,
)
resp.raise_for_status()
for item in resp.json()["items"]:
    print(item["id"], item.get("{field2}"))`,
		`# {Comment}
def should_retry(status, attempt):
    if status == 429 and attempt < {num2}:
        return True
    return status >= 500 and attempt < 3


print(should_retry({status}, 1))`,
	},
	"yaml": {
		`# {Comment}
{field}:
  enabled: {bool}
  {field2}: {num}
  allowed_domains:
    - {domain}
    - {domain2}
notify:
  - {user}`,
		`sync:
  window_days: {num}
  interval: {num2}m
  {res}:
    {field}: "{value}"
    skip_errors: [{code}]`,
	},
	"javascript": {
		`const res = await fetch("https://api.{domain}/v2/{res}", {
  method: "POST",
  headers: { Authorization: ` + "`Bearer ${token}`" + `, "Content-Type": "application/json" },
  body: JSON.stringify({ {field}: "{value}", {field2}: {bool} }),
});
if (!res.ok) {
  throw new Error(` + "`{verb} failed: ${res.status}`" + `);
}`,
		`// {Comment}
app.post("/webhooks/{res}", (req, res) => {
  const { type, data } = req.body;
  if (type === "{res}.{verb}") {
    queue.push({ id: data.id, {field}: data.{field} });
  }
  res.sendStatus(204);
});`,
	},
	"go": {
		`req, err := http.NewRequest("GET", "https://api.{domain}/v2/{res}?limit={num}", nil)
if err != nil {
	return fmt.Errorf("build request: %w", err)
}
req.Header.Set("Authorization", "Bearer "+token)
resp, err := client.Do(req)
if err != nil {
	return fmt.Errorf("{verb} {res}: %w", err)
}
defer resp.Body.Close()`,
		`// {Comment}
type {Res} struct {
	ID      string ` + "`json:\"id\"`" + `
	{Field} string ` + "`json:\"{field}\"`" + `
	Count   int    ` + "`json:\"count\"`" + `
}`,
	},
	"sql": {
		`-- {Comment}
SELECT user_email, {field}, COUNT(*) AS attempts
FROM sign_in_events
WHERE error_code = '{code}'
  AND created_at > now() - interval '{num} days'
GROUP BY user_email, {field}
ORDER BY attempts DESC
LIMIT {num2};`,
		`UPDATE {res}
SET {field} = '{value}', updated_at = now()
WHERE workspace_id = {num} AND {field2} IS NULL;`,
	},
}

// codeFields are identifiers for code: JSON keys, flags, columns.
var codeFields = []string{
	"displayName", "status", "syncWindow", "forwardingAddress", "timeZone", "scope", "consentType",
	"lastSync", "retentionDays", "calendarId", "mailboxType", "quota", "region", "owner", "role",
	"enabled", "approvalRequired", "retryCount", "labelId", "deliveryMode",
}

var codeResources = []string{
	"accounts", "mailboxes", "calendars", "events", "members", "invoices", "webhooks", "exports",
	"rules", "labels", "sessions", "devices", "groups", "domains",
}

var codeVerbs = []string{"sync", "export", "approve", "revoke", "restore", "archive", "refresh", "resend"}

var codeValues = []string{"pending", "approved", "enabled", "Europe/Berlin", "weekly", "read-only", "shared", "primary", "UTC", "archive"}

var codeComments = []string{
	"Run this as an administrator",
	"Replace the example values with your own",
	"Check the result before you change anything",
	"Safe to run more than once",
	"Lists only the items that changed",
	"Takes a few minutes on large workspaces",
}
