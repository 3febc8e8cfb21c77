#!/bin/sh
# t4002-inf-component.sh - ms_lbfo installed offline from the source's INF (UTF-16LE with a BOM,
# %strings%, a %% escape, a continued line): the grafted component key holds exactly the INF's
# AddReg values plus the seed's. The INF is read here with iconv and awk, the hive with reglookup
# and hivexregedit; verify reports a missing INF value, remove puts every hive back.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex reglookup hivexregedit iconv awk
have_fixtures

SRC=$FIXTURES/server2019.wim
CFG=Windows/System32/config
NET='/ControlSet001/Control/Network/{4d36e974-e325-11ce-bfc1-08002be10318}/{FC66A602-B769-4666-A540-CA3DF0E7DF2C}'

# The [Inst_Ndi] lines of an INF in UTF-8 as reglookup prints them: "path,TYPE,data,".
# Quote-aware field splitting, %strings% from [Strings], %% -> %, continuation lines joined.
inf_addreg() {
	awk -v net="$NET" '
	function field(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
	function unquote(s,   out, i, c, q) {
		out = ""; q = 0
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\"") { q = !q; continue }
			out = out c
		}
		return out
	}
	function subst(s,   out, i, j, k) {
		out = ""
		while ((i = index(s, "%")) > 0) {
			out = out substr(s, 1, i - 1); s = substr(s, i + 1)
			j = index(s, "%"); k = substr(s, 1, j - 1); s = substr(s, j + 1)
			out = out (k == "" ? "%" : str[tolower(k)])
		}
		return out s
	}
	function enc(s) { gsub(/%/, "%25", s); gsub(/,/, "%2C", s); return s }
	{ sub(/\r$/, "") }
	cont != "" { $0 = cont $0; cont = "" }
	/\\$/ { sub(/\\$/, ""); cont = $0; next }
	{ line = $0; q = 0; out = ""
	  for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (c == "\"") q = !q
		if (c == ";" && !q) break
		out = out c
	  }
	  line = field(out) }
	line == "" { next }
	line ~ /^\[/ { sec = tolower(line); next }
	sec == "[strings]" { k = field(substr(line, 1, index(line, "=") - 1));
			     str[tolower(k)] = unquote(field(substr(line, index(line, "=") + 1))); next }
	sec == "[inst_ndi]" { lines[++n] = line }
	END {
		for (l = 1; l <= n; l++) {
			s = lines[l]; nf = 0; cur = ""; q = 0
			for (i = 1; i <= length(s); i++) {
				c = substr(s, i, 1)
				if (c == "\"") q = !q
				if (c == "," && !q) { f[++nf] = field(cur); cur = ""; continue }
				cur = cur c
			}
			f[++nf] = field(cur)
			key = net "/" f[2]; gsub(/\\/, "/", key)
			v = subst(unquote(f[5]))
			flags = tolower(f[4])
			if (flags == "0" || flags == "") printf "%s/%s,SZ,%s,\n", key, f[3], enc(v)
			else if (flags == "0x00010001") printf "%s/%s,DWORD,0x%08X,\n", key, f[3], v + 0
			else if (flags == "0x00010000") printf "%s/%s,MULTI_SZ,%s,\n", key, f[3], enc(v)
			else printf "unexpected flags %s\n", flags
		}
	}'
}

# The value names the seed's .reg sets under the component's Ndi key and its Interfaces subkey.
seed_ndi_values() {
	tr -d '\r' <"$SEED_REG" |
	awk '/^\[/ { ndi = ($0 ~ /\\Ndi(\\Interfaces)?\]$/) } ndi && /^"/'
}

test_expect_success 'setup: the source INF is UTF-16LE with a BOM, its AddReg lines read with awk' '
	cp -a "$FIXTURES/win10-applied" img &&
	cp -a img orig &&
	wimlib-imagex extract "$SRC" 4 /Windows/INF/mslbfoprovider.inf --dest-dir=ref \
		--preserve-dir-structure >/dev/null &&
	head -c 2 ref/Windows/INF/mslbfoprovider.inf | od -An -tx1 | grep -q "ff fe" &&
	tail -c +3 ref/Windows/INF/mslbfoprovider.inf | iconv -f UTF-16LE -t UTF-8 >inf.txt &&
	grep -q "%lbfo_Service%" inf.txt &&
	inf_addreg <inf.txt | LC_ALL=C sort >inf.values &&
	! grep -q unexpected inf.values &&
	test $(wc -l <inf.values) = 9 &&
	grep -qxF "$NET/Ndi/HelpText,SZ,@%25SystemRoot%25\\System32\\drivers\\MsLbfoProvider.sys%2C-500," inf.values
'

test_expect_success 'apply -D start=3: every seed value, plus the INF values the seed lacks' '
	wimgraft apply -s "$SRC" -i 4 -d img -D start=3 >out 2>err &&
	check_seed_values img/$CFG/SYSTEM &&
	reglookup -H -p "$NET/Ndi" img/$CFG/SYSTEM >ndi.all &&
	grep -v ",KEY," ndi.all | LC_ALL=C sort >ndi.values &&
	grep -qxF "$NET/Ndi/CoServices,MULTI_SZ,MsLbfoProvider," ndi.values &&
	grep -qxF "$NET/Ndi/FilterClass,SZ,ms_implatform," ndi.values &&
	grep -qxF "$NET/Ndi/FilterType,DWORD,0x00000002," ndi.values &&
	grep -qxF "$NET/Ndi/FilterRunType,DWORD,0x00000001," ndi.values
'

test_expect_success 'the Ndi key holds exactly the INF AddReg values plus the seed TimeStamp' '
	test "$(seed_ndi_values | wc -l)" = 6 &&
	seed_ndi_values | grep -q "^\"TimeStamp\"=hex:" &&
	grep "/TimeStamp,BINARY," ndi.values >seed.only &&
	cat inf.values seed.only | LC_ALL=C sort -u >want.values &&
	diff want.values ndi.values &&
	{ seed_ndi_values | sed "s/^\"\([^\"]*\)\".*/\1/" && sed "s|^.*/\([^/,]*\),[A-Z_]*,.*|\1|" inf.values; } |
		LC_ALL=C sort -u >want.names &&
	sed "s|^.*/\([^/,]*\),[A-Z_]*,.*|\1|" ndi.values | LC_ALL=C sort -u >have.names &&
	diff want.names have.names
'

test_expect_success 'the component key itself: Characteristics and InfSection from the INF, as the seed has them' '
	reglookup -H -p "$NET" img/$CFG/SYSTEM >comp &&
	grep -qixF "$NET/Characteristics,DWORD,0x00040000," comp &&
	grep -qixF "$NET/ComponentId,SZ,ms_lbfo," comp &&
	grep -qixF "$NET/InfSection,SZ,Install," comp
'

test_expect_success 'hivexregedit shows CoServices as REG_MULTI_SZ with its double NUL' '
	hivexregedit --export img/$CFG/SYSTEM "\\ControlSet001\\Control\\Network\\{4d36e974-e325-11ce-bfc1-08002be10318}" >net.reg &&
	tr -d "\\r\\n\\\\ " <net.reg | grep -qi "\"CoServices\"=hex(7):4d,00,73,00,4c,00,62,00,66,00,6f,00,50,00,72,00,6f,00,76,00,69,00,64,00,65,00,72,00,00,00,00,00"
'

test_expect_success 'the plan, --json and the undo record name the INF values' '
	wimgraft apply -s "$SRC" -i 4 -d orig -D start=3 -n --json >plan.json 2>err &&
	grep -q "CoServices" plan.json &&
	grep -q "\"instance\": *\"{FC66A602-B769-4666-A540-CA3DF0E7DF2C}\"" img/Windows/Logs/wimgraft/lbfo.undo.json
'

test_expect_success 'verify reports a missing INF value (exit 3)' '
	wimgraft verify -d img >vout 2>verr &&
	cp -a img broken &&
	printf "[\\\\ControlSet001\\\\Control\\\\Network\\\\{4d36e974-e325-11ce-bfc1-08002be10318}\\\\{FC66A602-B769-4666-A540-CA3DF0E7DF2C}\\\\Ndi]\\n\"FilterClass\"=-\\n" >del.reg &&
	hivexregedit --merge broken/$CFG/SYSTEM del.reg &&
	test_expect_code 3 wimgraft verify -d broken >vout 2>verr &&
	grep -q "FilterClass" vout &&
	test_expect_code 3 wimgraft verify -d broken -s "$SRC" -i 4 -D start=3 >vout2 2>verr2 &&
	grep -q "FilterClass" vout2
'

test_expect_success 'remove puts every hive back as it was' '
	wimgraft remove -d img >rout 2>rerr &&
	for h in SYSTEM DRIVERS; do
		hivexregedit --export orig/$CFG/$h "\\" >o.reg &&
		hivexregedit --export img/$CFG/$h "\\" >i.reg &&
		diff o.reg i.reg >/dev/null || { echo "$h differs"; return 1; }
	done
'

test_done
