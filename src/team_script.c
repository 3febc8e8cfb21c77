/*
 * team_script.c - write wimgraft-teams.ps1: the team file's values as a data block of
 * quoted literals and numbers, then a fixed body that waits for the adapters, makes and logs the teams.
 */
#include "team_script.h"

#include <string.h>

/*
 * The fixed part. Nothing from the team file is ever written into it: the file's
 * values reach it only through $WaitSeconds and $Teams, written by emit_data.
 * No apostrophe appears in a comment here (a test lexes the script as PowerShell does).
 */
static const char *const head[] = {
	"# wimgraft-teams.ps1 - makes the NIC teams of a wimgraft team file at first boot.",
	"# Written by wimgraft. Run once by wimgraft-lbfo.cmd with powershell.exe -NoProfile",
	"# -NonInteractive -ExecutionPolicy Bypass -File. Uses the NetAdapter and NetLbfo modules",
	"# (Windows 8 and Windows Server 2012 or later, Windows PowerShell 3.0 or later).",
	"# A team is made only when no team of its name exists. The machine is never restarted.",
	"# Log: %SystemRoot%\\Logs\\wimgraft\\team.log. Exit status: 0 when every team is in place.",
	"",
};

static const char *const body[] = {
	"",
	"$ErrorActionPreference = 'Stop'",
	"$LogDir = Join-Path $env:SystemRoot 'Logs\\wimgraft'",
	"$LogFile = Join-Path $LogDir 'team.log'",
	"",
	"function Write-Log($Text) {",
	"    $line = '{0} {1}' -f (Get-Date -Format 'yyyy-MM-dd HH:mm:ss'), $Text",
	"    try { Add-Content -LiteralPath $LogFile -Value $line -Encoding UTF8 } catch { }",
	"}",
	"",
	"# Does the adapter satisfy every part the rule gives?",
	"function Test-Rule($Rule, $Adapter) {",
	"    if ($Rule.Name -and -not ($Adapter.Name -like $Rule.Name)) { return $false }",
	"    if ($Rule.Description -and -not ($Adapter.Description -like $Rule.Description)) { return $false }",
	"    if ($Rule.Mac.Count -gt 0) {",
	"        $hit = $false",
	"        foreach ($m in $Rule.Mac) { if ($Adapter.Mac -like $m) { $hit = $true } }",
	"        if (-not $hit) { return $false }",
	"    }",
	"    if ($Rule.Pci -and -not ($Adapter.Pci -like $Rule.Pci)) { return $false }",
	"    return $true",
	"}",
	"",
	"# The physical adapters, sorted by name, with their PCI location when they have one.",
	"function Get-Adapters {",
	"    $location = @{}",
	"    foreach ($h in @(Get-NetAdapterHardwareInfo -ErrorAction SilentlyContinue)) {",
	"        $location[$h.Name] = '{0}:{1}:{2}.{3}' -f $h.SegmentNumber, $h.BusNumber,",
	"                             $h.DeviceNumber, $h.FunctionNumber",
	"    }",
	"    $list = @()",
	"    foreach ($a in @(Get-NetAdapter -Physical -ErrorAction SilentlyContinue)) {",
	"        $pci = ''",
	"        if ($location.ContainsKey($a.Name)) { $pci = $location[$a.Name] }",
	"        $list += New-Object PSObject -Property @{",
	"            Name = $a.Name; Description = $a.InterfaceDescription; Mac = $a.MacAddress; Pci = $pci",
	"        }",
	"    }",
	"    $list | Sort-Object -Property Name",
	"}",
	"",
	"# The members of a team: rule by rule, in adapter order, at most Max.",
	"function Select-Members($Team, $Adapters, $Taken) {",
	"    $chosen = @()",
	"    foreach ($rule in $Team.Rules) {",
	"        foreach ($a in $Adapters) {",
	"            if ($chosen.Count -ge $Team.Max) { break }",
	"            if ($chosen -contains $a.Name -or $Taken -contains $a.Name) { continue }",
	"            if (Test-Rule $rule $a) { $chosen += $a.Name }",
	"        }",
	"    }",
	"    $chosen",
	"}",
	"",
	"function Get-Team($Name) {",
	"    @(Get-NetLbfoTeam -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq $Name })",
	"}",
	"",
	"# Every team still to make has at least Min matching adapters.",
	"function Test-Ready($Adapters) {",
	"    foreach ($t in $Teams) {",
	"        if (@(Get-Team $t.Name).Count -gt 0) { continue }",
	"        if (@(Select-Members $t $Adapters @()).Count -lt $t.Min) { return $false }",
	"    }",
	"    $true",
	"}",
	"",
	"function New-Team($Team, $Adapters, $Taken) {",
	"    $members = @(Select-Members $Team $Adapters $Taken)",
	"    if ($members.Count -lt $Team.Min) {",
	"        throw ('{0} matching adapter(s), at least {1} needed' -f $members.Count, $Team.Min)",
	"    }",
	"    $new = @{ Name = $Team.Name; TeamMembers = $members; TeamingMode = $Team.TeamingMode;",
	"              LoadBalancingAlgorithm = $Team.LoadBalancingAlgorithm; Confirm = $false }",
	"    if ($Team.LacpTimer) { $new.LacpTimer = $Team.LacpTimer }",
	"    Write-Log ('team {0}: New-NetLbfoTeam: members {1}; {2}, {3} {4}' -f $Team.Name,",
	"               ($members -join ', '), $Team.TeamingMode, $Team.LoadBalancingAlgorithm, $Team.LacpTimer)",
	"    New-NetLbfoTeam @new | Out-Null",
	"    Write-Log ('team {0}: created' -f $Team.Name)",
	"    if ($Team.Standby) {",
	"        $standby = $null",
	"        foreach ($m in $members) {",
	"            $a = @($Adapters | Where-Object { $_.Name -eq $m })[0]",
	"            if (-not $standby -and (Test-Rule $Team.Standby $a)) { $standby = $m }",
	"        }",
	"        if (-not $standby) { throw 'no member matches the standby rule' }",
	"        $member = @(Get-NetLbfoTeamMember | Where-Object { $_.Team -eq $Team.Name -and $_.Name -eq $standby })",
	"        if ($member.Count -ne 1) { throw ('member {0} is not listed in the team' -f $standby) }",
	"        $member[0] | Set-NetLbfoTeamMember -AdministrativeMode Standby -Confirm:$false | Out-Null",
	"        Write-Log ('team {0}: member {1} set to standby' -f $Team.Name, $standby)",
	"    }",
	"    foreach ($v in $Team.Vlans) {",
	"        $nic = @{ Team = $Team.Name; VlanID = $v.Id; Confirm = $false }",
	"        if ($v.Name) { $nic.Name = $v.Name }",
	"        Add-NetLbfoTeamNic @nic | Out-Null",
	"        Write-Log ('team {0}: VLAN {1} interface added {2}' -f $Team.Name, $v.Id, $v.Name)",
	"    }",
	"    $members",
	"}",
	"",
	"$failures = 0",
	"try { New-Item -ItemType Directory -Path $LogDir -Force | Out-Null } catch { }",
	"Write-Log ('start: {0} team(s); waiting up to {1} s for their adapters' -f $Teams.Count, $WaitSeconds)",
	"try {",
	"    $deadline = (Get-Date).AddSeconds($WaitSeconds)",
	"    $adapters = @(Get-Adapters)",
	"    while (-not (Test-Ready $adapters) -and (Get-Date) -lt $deadline) {",
	"        Start-Sleep -Seconds 5",
	"        $adapters = @(Get-Adapters)",
	"    }",
	"    foreach ($a in $adapters) {",
	"        Write-Log ('adapter {0}: {1}, MAC {2}, PCI {3}' -f $a.Name, $a.Description, $a.Mac, $a.Pci)",
	"    }",
	"    $taken = @(Get-NetLbfoTeamMember -ErrorAction SilentlyContinue | ForEach-Object { $_.Name })",
	"    foreach ($t in $Teams) {",
	"        try {",
	"            if (@(Get-Team $t.Name).Count -gt 0) {",
	"                Write-Log ('team {0}: exists already; left as it is' -f $t.Name)",
	"                continue",
	"            }",
	"            $taken += @(New-Team $t $adapters $taken)",
	"        } catch {",
	"            Write-Log ('team {0}: FAILED: {1}' -f $t.Name, $_.Exception.Message)",
	"            $failures++",
	"        }",
	"    }",
	"} catch {",
	"    Write-Log ('FAILED: {0}' -f $_.Exception.Message)",
	"    $failures++",
	"}",
	"if ($failures -gt 0) {",
	"    Write-Log ('end: {0} failure(s); setup goes on without them' -f $failures)",
	"    exit 1",
	"}",
	"Write-Log 'end: every team is in place'",
	"exit 0",
};

static void line(struct strbuf *out, const char *text)
{
	sb_addstr(out, text);
	sb_addstr(out, "\r\n");
}

void ps_quote(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	sb_addch(out, '\'');
	while (len) {
		uint32_t cp;
		size_t n = utf8_decode(p, len, &cp);
		if (!n)
			n = 1;   /* not UTF-8: a byte that cannot be a quote */
		sb_add(out, p, n);
		if (n == 1 ? *p == '\'' : (cp >= 0x2018 && cp <= 0x201b))
			sb_add(out, p, n);
		p += n;
		len -= n;
	}
	sb_addch(out, '\'');
}

static void quoted_field(struct strbuf *out, const char *key, const char *value, const char *sep)
{
	sb_addf(out, "%s = ", key);
	ps_quote(out, value ? value : "");
	sb_addstr(out, sep);
}

static void emit_rule(struct strbuf *out, const struct team_rule *r)
{
	sb_addstr(out, "@{ ");
	quoted_field(out, "Name", r->name, "; ");
	quoted_field(out, "Description", r->description, "; ");
	sb_addstr(out, "Mac = @(");
	for (size_t i = 0; i < r->macs.n; i++) {
		if (i)
			sb_addstr(out, ", ");
		ps_quote(out, r->macs.v[i]);
	}
	sb_addstr(out, "); ");
	quoted_field(out, "Pci", r->pci, " }");
}

static void emit_team(struct strbuf *out, const struct team *t)
{
	const char *timer = team_lacp_timer_name(t->lacp_timer);
	line(out, "    @{");
	sb_addstr(out, "        ");
	quoted_field(out, "Name", t->name, "\r\n");
	sb_addf(out, "        TeamingMode = '%s'\r\n", team_mode_name(t->mode));
	sb_addf(out, "        LoadBalancingAlgorithm = '%s'\r\n", team_algorithm_name(t->algorithm));
	sb_addf(out, "        LacpTimer = '%s'\r\n", timer ? timer : "");
	sb_addf(out, "        Min = %u\r\n        Max = %u\r\n", t->min, t->max);
	line(out, "        Rules = @(");
	for (size_t i = 0; i < t->nrules; i++) {
		sb_addstr(out, "            ");
		emit_rule(out, &t->rules[i]);
		sb_addstr(out, "\r\n");
	}
	line(out, "        )");
	sb_addstr(out, "        Standby = ");
	if (t->standby)
		emit_rule(out, t->standby);
	else
		sb_addstr(out, "$null");
	sb_addstr(out, "\r\n");
	line(out, t->nvlans ? "        Vlans = @(" : "        Vlans = @()");
	for (size_t i = 0; i < t->nvlans; i++) {
		sb_addf(out, "            @{ Id = %u; ", t->vlans[i].id);
		quoted_field(out, "Name", t->vlans[i].name, " }\r\n");
	}
	if (t->nvlans)
		line(out, "        )");
	line(out, "    }");
}

void team_script_generate(const struct team_file *tf, struct strbuf *out)
{
	sb_addstr(out, "\xef\xbb\xbf");
	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		line(out, head[i]);
	sb_addf(out, "$WaitSeconds = %u\r\n", tf->wait);
	line(out, "$Teams = @(");
	for (size_t i = 0; i < tf->nteams; i++)
		emit_team(out, &tf->teams[i]);
	line(out, ")");
	for (size_t i = 0; i < ARRAY_SIZE(body); i++)
		line(out, body[i]);
}

static void describe_team(const char *path, const struct team *t)
{
	const char *timer = team_lacp_timer_name(t->lacp_timer);
	wg_info("team file '%s': team '%s': %s%s%s%s, %s, %u to %u members by %zu rule%s%s, %zu VLAN%s",
		path, t->name, team_mode_name(t->mode), timer ? " (LACP timer " : "",
		timer ? timer : "", timer ? ")" : "", team_algorithm_name(t->algorithm), t->min,
		t->max, t->nrules, t->nrules == 1 ? "" : "s", t->standby ? ", one standby" : "",
		t->nvlans, t->nvlans == 1 ? "" : "s");
}

enum wg_err team_script_from_file(const char *path, struct strbuf *out, bool describe)
{
	struct team_file *tf;
	enum wg_err ret = team_load(path, &tf);
	if (ret)
		return ret;
	for (size_t i = 0; describe && i < tf->nteams; i++)
		describe_team(path, &tf->teams[i]);
	team_script_generate(tf, out);
	team_file_free(tf);
	return WG_OK;
}
