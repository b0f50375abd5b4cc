package corpus

// The vocabulary of the synthetic help center. The lists are read-only;
// the generator picks from them with a skewed distribution so that common
// words are common and rare words are rare, as in real documentation.

var nouns = []string{
	"account", "mailbox", "calendar", "workspace", "tenant", "sign-in page", "password", "device",
	"invitation", "meeting", "event", "message", "folder", "label", "inbox", "contact", "address book",
	"shared mailbox", "distribution list", "team", "channel", "notification", "reminder", "signature",
	"time zone", "sync", "connection", "token", "refresh token", "consent screen", "permission",
	"admin role", "license", "subscription", "invoice", "payment method", "billing address", "plan",
	"seat", "trial", "domain", "DNS record", "MX record", "certificate", "browser", "desktop app",
	"mobile app", "extension", "add-in", "integration", "webhook", "API key", "client secret",
	"redirect URI", "app registration", "service principal", "enterprise application", "group",
	"security group", "user", "guest user", "organizer", "attendee", "room", "resource calendar",
	"booking page", "availability", "working hours", "out-of-office reply", "rule", "filter",
	"attachment", "draft", "thread", "search index", "archive", "export", "import", "backup",
	"audit log", "sign-in log", "report", "dashboard", "policy", "retention policy",
	"conditional access policy", "multi-factor prompt", "authenticator app", "recovery code",
	"security key", "session", "cookie", "cache", "proxy", "firewall", "VPN", "network",
	"status page", "support ticket", "request", "approval", "reviewer", "administrator", "owner",
	"member", "profile", "display name", "email address", "alias", "forwarding address",
	"delegate", "calendar feed", "ICS link", "color category", "category", "template", "snippet",
	"keyboard shortcut", "theme", "language setting", "region", "data residency", "quota",
	"storage limit", "rate limit", "error message", "error code", "warning banner", "sidebar",
	"toolbar", "menu", "dialog", "tab", "button", "checkbox", "toggle", "field", "link",
	"QR code", "verification code", "one-time passcode", "provisioning job", "SCIM connector",
	"directory", "identity provider", "single sign-on", "SAML certificate", "metadata URL",
	"scope", "grant", "secret", "key vault", "log file", "diagnostic bundle", "crash report",
	"update", "release channel", "version", "changelog", "feature flag", "beta feature",
}

var verbs = []string{
	"connect", "sync", "reconnect", "approve", "revoke", "export", "import", "restore", "delete",
	"archive", "rename", "move", "share", "unshare", "invite", "remove", "add", "assign",
	"unassign", "enable", "disable", "turn on", "turn off", "configure", "update", "reset",
	"verify", "confirm", "review", "check", "open", "close", "select", "choose", "search for",
	"filter", "sort", "pin", "unpin", "mute", "snooze", "schedule", "reschedule", "cancel",
	"forward", "reply to", "block", "unblock", "report", "download", "upload", "attach",
	"copy", "paste", "edit", "save", "publish", "preview", "test", "troubleshoot", "refresh",
	"sign in to", "sign out of", "register", "rotate", "renew", "transfer", "merge", "split",
	"grant", "deny", "request", "monitor", "audit", "limit", "allow", "migrate", "back up",
}

var adjectives = []string{
	"new", "existing", "shared", "personal", "work", "school", "primary", "secondary", "default",
	"custom", "recurring", "private", "public", "external", "internal", "expired", "pending",
	"active", "inactive", "disabled", "blocked", "missing", "duplicate", "delayed", "failed",
	"successful", "encrypted", "read-only", "full", "partial", "temporary", "permanent",
	"automatic", "manual", "scheduled", "synced", "unsynced", "archived", "deleted", "hidden",
	"visible", "verified", "unverified", "trusted", "untrusted", "managed", "unmanaged",
	"legacy", "current", "older", "newer", "large", "small", "empty", "busy", "free",
}

var adverbs = []string{
	"usually", "often", "sometimes", "rarely", "immediately", "automatically", "manually",
	"again", "first", "then", "later", "afterwards", "meanwhile", "still", "only", "also",
	"quickly", "safely", "directly", "briefly", "temporarily", "permanently", "normally",
}

var products = []string{
	"Microsoft 365", "Google Workspace", "Outlook", "Gmail", "Exchange Online", "iCloud Mail",
	"Zoom", "Microsoft Teams", "Slack", "Salesforce", "HubSpot", "Zendesk", "Okta", "OneLogin",
	"Microsoft Entra ID", "Azure AD", "Google Calendar", "Apple Calendar", "Yahoo Mail",
	"Fastmail", "Proton Mail", "Jira", "Asana", "Notion", "Dropbox", "OneDrive", "SharePoint",
	"Google Drive", "Chrome", "Firefox", "Safari", "Edge", "Windows", "macOS", "iOS", "Android",
}

var platforms = []string{
	"Windows", "macOS", "Linux", "iPhone", "iPad", "Android", "the web app", "Chrome", "Firefox",
	"Safari", "Edge", "a managed device", "a shared computer",
}

var uiItems = []string{
	"Settings", "Accounts", "Add account", "Security", "Notifications", "Calendars", "Mail",
	"Billing", "Members", "Roles", "Integrations", "Advanced", "Privacy", "Sync", "Devices",
	"Sessions", "Sign-in methods", "Appearance", "Shortcuts", "Data export", "Audit log",
	"Enterprise applications", "Admin consent requests", "User settings", "Consent and permissions",
	"Permissions", "Properties", "Users and groups", "Sign-in logs", "Overview", "Workspace",
	"Profile", "Subscriptions", "Invoices", "Payment methods", "Domains", "Mailbox rules",
	"Forwarding", "Signatures", "Labels", "Filters", "Templates", "Webhooks", "API keys",
	"Single sign-on", "Provisioning", "Directory sync", "Retention", "Backups", "Status",
	"Save", "Apply", "Done", "Next", "Continue", "Accept", "Allow", "Request approval",
	"Grant admin consent", "Reconnect", "Remove", "Delete", "Export", "Import", "Restore",
	"Invite", "Copy link", "Download", "Upload", "Refresh", "Sign out everywhere",
}

var errorCodes = []string{
	"AADSTS50105", "AADSTS90094", "AADSTS90095", "AADSTS65001", "AADSTS50076", "AADSTS50079",
	"AADSTS700016", "AADSTS50020", "AADSTS50034", "AADSTS50053", "AADSTS50126", "AADSTS53003",
	"AADSTS7000215", "AADSTS65004", "AADSTS500011", "AADSTS50011", "AADSTS530003", "AADSTS50158",
	"0x80070005", "0x8004010F", "0x800CCC0E", "0x80040115", "ERR_CONNECTION_RESET",
	"ERR_CERT_DATE_INVALID", "IMAP-535", "SMTP-550", "SMTP-421", "HTTP-401", "HTTP-403",
	"HTTP-429", "HTTP-503", "invalid_grant", "consent_required", "interaction_required",
	"access_denied", "temporarily_unavailable", "TD-1042", "TD-2207", "TD-3115", "TD-4090",
	"TD-5002", "TD-6318", "TD-7741", "SYNC-104", "SYNC-212", "SYNC-409", "CAL-301", "CAL-502",
}

var settingNames = []string{
	"Users can consent to apps", "Users can request admin consent", "Sync window",
	"Two-step verification", "Allow external sharing", "Default calendar", "Send read receipts",
	"Block remote images", "Working hours", "Auto-archive after 30 days", "Smart compose",
	"Focused inbox", "Show week numbers", "Default reminder", "Meeting buffer",
	"Allow guests to join", "Require device approval", "Session timeout", "Password expiry",
	"Allowed domains", "Data residency region", "Audit log retention", "Email digest",
	"Desktop notifications", "Mobile push notifications", "Follow-up reminders",
	"Out of office", "Forward a copy", "Keep a copy in Sent", "Thread by conversation",
	"Undo send delay", "Default signature", "Time zone", "Week starts on", "Link previews",
	"Offline access", "Background sync", "Verbose logging", "Beta features", "Admin approval workflow",
}

var cmdlets = []string{
	"Get-MgUser", "Get-MgServicePrincipal", "New-MgServicePrincipal", "Get-MgOauth2PermissionGrant",
	"Remove-MgOauth2PermissionGrant", "Update-MgPolicyAuthorizationPolicy", "Connect-MgGraph",
	"Connect-ExchangeOnline", "Get-Mailbox", "Set-Mailbox", "Get-MailboxPermission",
	"Add-MailboxPermission", "Add-MailboxFolderPermission", "Get-MailboxFolderPermission",
	"Set-CASMailbox", "Get-CASMailbox", "Get-EXOMailboxStatistics", "Set-MailboxRegionalConfiguration",
	"Get-CalendarProcessing", "Set-CalendarProcessing", "New-ApplicationAccessPolicy",
	"Test-ApplicationAccessPolicy", "Get-MessageTrace", "Get-InboxRule", "Set-InboxRule",
	"Get-MgAuditLogSignIn", "Get-MgGroupMember", "New-MgGroupMember", "Get-OrganizationConfig",
	"Set-OrganizationConfig",
}

var roles = []string{
	"Global Administrator", "Cloud Application Administrator", "Application Administrator",
	"Exchange Administrator", "Privileged Role Administrator", "Security Reader",
	"workspace owner", "workspace admin", "billing admin", "help desk agent",
}

var people = []string{"alex", "sam", "jordan", "riley", "morgan", "casey", "taylor", "jamie", "avery", "quinn"}

var domains = []string{"contoso.com", "fabrikam.com", "example.org", "northwind.example", "tailspin.example"}

var durations = []string{
	"a few seconds", "about a minute", "five minutes", "15 minutes", "half an hour", "an hour",
	"up to two hours", "a day", "48 hours", "a week", "30 days", "90 days",
}

var keys = []string{"Ctrl", "Shift", "Alt", "Cmd", "Enter", "Esc", "Tab", "K", "G", "A", "S", "N", "R", "/", "?"}

// topics name categories; each carries the nouns its articles lean on.
// topics name categories: title, one-line description, icon, the tag
// every article in the category carries, and the noun section titles use.
var topics = []struct {
	title, desc, icon, tag, noun string
}{
	{"Getting started", "First steps, the basics of the app and where things are.", "book", "getting-started", "the basics"},
	{"Accounts and sign-in", "Sign in, stay signed in and fix sign-in errors.", "user", "sign-in", "sign-in"},
	{"Connecting email", "Add mailboxes from Microsoft 365, Google Workspace and IMAP servers.", "mail", "email", "email"},
	{"Calendars", "Sync calendars, share availability and schedule meetings.", "calendar", "calendar", "calendars"},
	{"Security and privacy", "Two-step verification, sessions, data handling and audits.", "shield", "security", "security"},
	{"Administration", "Manage members, roles, domains and organisation-wide settings.", "settings", "admin", "workspaces"},
	{"Billing and plans", "Plans, seats, invoices and payment methods.", "key", "billing", "billing"},
	{"Integrations", "Connect chat, CRM and storage tools.", "settings", "integrations", "integrations"},
	{"Mobile apps", "Use the iPhone, iPad and Android apps.", "user", "mobile", "the mobile apps"},
	{"Notifications", "Choose what alerts you and where.", "help", "notifications", "notifications"},
	{"Data and exports", "Export, import, back up and restore your data.", "book", "data", "exports"},
	{"Single sign-on", "SAML, OIDC and directory provisioning for organisations.", "key", "sso", "SSO"},
	{"Troubleshooting", "Fix sync delays, missing items and error codes.", "help", "troubleshooting", "sync"},
	{"Sharing and teams", "Share mailboxes and calendars with your team.", "user", "sharing", "sharing"},
	{"Developers and API", "API keys, webhooks and rate limits.", "settings", "api", "the API"},
	{"Migration", "Move from another tool without losing history.", "mail", "migration", "migration"},
}

var sectionThemes = []struct{ title, desc string }{
	{"Set up %s", "Everything you need the first time."},
	{"Manage %s", "Day-to-day changes and housekeeping."},
	{"%s settings", "What each setting does and its default."},
	{"%s for admins", "Organisation-wide controls for administrators."},
	{"Fix %s problems", "Symptoms, causes and fixes."},
	{"%s error codes", "What each error means and what to do."},
	{"%s on mobile", "The same tasks on phones and tablets."},
	{"%s reference", "Limits, formats and supported versions."},
	{"%s and security", "How data stays protected."},
	{"%s automation", "Scripts, rules and scheduled jobs."},
	{"Advanced %s", "Less common set-ups and edge cases."},
	{"%s FAQ", "Short answers to common questions."},
	{"%s for teams", "Sharing and delegation."},
	{"Migrate %s", "Bring your history across."},
	{"%s limits and quotas", "How much you can store, send and sync."},
	{"%s release notes", "What changed and when."},
}

var tags = []string{
	"microsoft-365", "google-workspace", "imap", "outlook", "gmail", "exchange", "calendar-sync",
	"mail-sync", "sign-in-errors", "admin-consent", "permissions", "mfa", "sso", "saml", "scim",
	"billing", "invoices", "seats", "mobile", "ios", "android", "desktop", "browser",
	"notifications", "sharing", "delegation", "shared-mailbox", "rooms", "scheduling",
	"time-zones", "export", "import", "backup", "retention", "audit", "api", "webhooks",
	"rate-limits", "powershell", "graph-api", "dns", "domains", "security", "privacy",
	"performance", "offline", "search", "labels", "rules", "signatures", "templates",
	"accessibility", "keyboard", "migration", "beta", "status", "troubleshooting",
}

var sentences = []string{
	"To {v} {a} {n}, open {path} and select {ui}.",
	"You can {v} the {n} from {path} at any time.",
	"If the {n} doesn't {v}, check {set} in {path}.",
	"Changes to the {n} {adv} take {dur} to reach every device.",
	"{Prod} sends error {code} when the {n} is {adj} or the {n2} has been revoked.",
	"Only a {role} can {v} the {n} for the whole organisation.",
	"The {adj} {n} stays in place until you {v} it or an administrator removes it.",
	"When {set} is on, the app will {v} each {n} {adv}.",
	"Run {cmd} to confirm that the {n} exists and is {adj}.",
	"Most people {v} the {n} once and never need to touch it again.",
	"On {plat}, the same option is under {path}.",
	"Press {key} to jump straight to {ui}.",
	"If you see {code}, the {n} you used is {adj}; {v} it and try again.",
	"Your {n} is never shared with {prod} unless you {v} it yourself.",
	"We keep the {n} for {dur} after you {v} it, so you can undo the change.",
	"The {n} list shows the {adj} items first, then everything else by date.",
	"Some organisations turn off {set}, which hides {ui} for everyone but admins.",
	"A {adj} {n} is the most common reason a {n2} stops syncing.",
	"It {adv} helps to sign out of {prod}, sign back in, and then {v} the {n}.",
	"Ask your {role} to {v} the {n} if the option is greyed out.",
	"The sync engine checks each {n} every {dur} and retries on errors such as {code}.",
	"Use {set} to decide who can {v} a {n} in your workspace.",
	"After you {v} the {n}, the {n2} updates within {dur}.",
	"Nothing is deleted when you {v} a {n}; it only changes what the app shows.",
	"For scripted changes, {cmd} accepts the same values as {path}.",
	"If {prod} asks for a {n} again, your {n2} has probably expired.",
	"The {ui} button appears only for {adj} items.",
	"Write down the {n} and the time you saw {code}; support needs both.",
	"Each {n} belongs to exactly one {n2}, so moving it also moves its history.",
	"You won't lose any {np} when you {v} the {n}.",
	"Admins see a {adj} banner when {set} is turned off for the workspace.",
	"The limit is {num} {np} per {n2}; above it, new items wait until the next sync.",
	"Select {ui} to {v} the {n} without leaving the page.",
	"This works the same way for {prod} and {prod2} accounts.",
	"Signing in from {plat} uses the same {n} as the web app.",
	"The {n} is {adv} {adj} for {dur} after you change {set}.",
}

var headingTemplates = map[string][]string{
	"prereq": {
		"Before you begin", "What you need", "Requirements", "Check your access first",
		"Who can do this", "Prepare your {n}", "Before you {v} the {n}",
	},
	"procedure": {
		"{V} the {n}", "{V} a {adj} {n}", "{V} the {n} in {ui}", "{V} your {n} from {plat}",
		"Steps to {v} the {n}", "How to {v} a {n}", "{V} {np} for your team", "{V} the {n} with {prod}",
	},
	"sub": {
		"Use {cmd} instead", "{V} the {n} with a script", "Do it from the command line",
		"Check the {n} afterwards", "Confirm the {n} is {adj}", "Example request", "Sample output",
		"Automate {np}", "Verify the {n}",
	},
	"reference": {
		"{N} settings", "What each {n} setting does", "Limits for {np}", "Supported {np}",
		"{N} states", "Error codes for {np}", "{N} defaults", "Reference for {np}",
	},
	"trouble": {
		"If the {n} does not {v}", "If you see {code}", "{N} is {adj}", "The {n} keeps asking to {v}",
		"{Np} are missing", "The {ui} button is greyed out", "{N} shows the wrong {n2}",
		"Still not working",
	},
	"related": {"Related articles", "See also", "Next steps", "More help"},
}

var titleTemplates = []string{
	"{V} {a} {n}", "How to {v} {a} {adj} {n}", "{V} your {n} in {prod}",
	"Fix error {code} when you {v} {a} {n}", "Why the {n} is {adj}", "{N} settings explained",
	"Troubleshoot {np}", "Set up {np} on {plat}", "Understand {np}", "{N} shows {code}",
	"{V} {np} for your organisation", "Can't {v} the {n}", "{V} the {n} with {cmd}",
	"What happens when you {v} {a} {n}", "{Prod} {n} and {n2}", "Limits on {np}",
}

var imageNames = []string{
	"settings-panel", "sign-in-screen", "consent-prompt", "account-list", "sync-status",
	"admin-center", "permissions-dialog", "calendar-view", "error-page", "confirmation",
	"toolbar", "export-dialog",
}
