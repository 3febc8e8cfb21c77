/* mktree.c - write a folder of the shape of an applied Windows 10 image (WinSxS, System32,
 * DriverStore, Program Files...) filled with deterministic data that LZX compresses about 2:1. */

/*
 * usage: mktree tree DIR TOTAL_BYTES NFILES SEED
 *          NFILES regular files (plus hard links, as System32 has into WinSxS) holding
 *          TOTAL_BYTES of data in all; prints "files N links N bytes N" on stdout.
 *        mktree files DIR SEED SIZE PATH...
 *          one file of SIZE bytes at each PATH (relative to DIR), parents created.
 *
 * The content is a mixture of random runs (incompressible, like code and compressed
 * resources), repeats of earlier bytes at short distances (like code idioms and tables),
 * identifier text and zero padding (like import tables, strings and section alignment).
 * Every file's bytes depend on SEED and its path only, so files differ from one another
 * and a second run gives identical output.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Percent of segments that are random bytes; the rest are repeats, text and zeros. */
#ifndef PCT_RANDOM
#define PCT_RANDOM 12
#endif
#define PCT_REPEAT 30
#define PCT_ZEROS 6
#define MAX_FILE (48u << 20)

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(struct rng *r)
{
	return (double)(next(r) >> 11) / 9007199254740992.0;
}

static double normal(struct rng *r)
{
	double u = uniform(r), v = uniform(r);
	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static uint64_t hash_str(uint64_t seed, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ seed;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static const char *words[] = {
	"Kernel", "Base", "Net", "Shell", "Win", "Http", "Crypt", "Ntfs", "Tcpip", "Ndis", "Usb",
	"Audio", "Display", "Print", "Spool", "Media", "Search", "Update", "Defender", "Edge",
	"Core", "Host", "Svc", "Mgr", "Api", "Ui", "Provider", "Driver", "Filter", "Storage",
	"Volume", "Disk", "Power", "Policy", "Security", "Auth", "Logon", "Session", "Input",
	"Touch", "Pen", "Speech", "Sensor", "Location", "Bluetooth", "Wlan", "Wwan", "Dhcp", "Dns",
	"Firewall", "Mpssvc", "Rpc", "Com", "Ole", "Dx", "Direct", "Graphics", "Font", "Text",
	"Sync", "Cloud", "Store", "App", "Package", "Deploy", "Setup", "Boot", "Recovery",
	"Diag", "Trace", "Event", "Perf", "Wmi", "Task", "Sched", "Time", "User", "Profile",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *idents[] = {
	"GetProcAddress", "LoadLibraryExW", "CreateFileW", "NtQueryInformationProcess",
	"RtlInitUnicodeString", "HeapAlloc", "HeapFree", "EnterCriticalSection",
	"LeaveCriticalSection", "RegOpenKeyExW", "RegQueryValueExW", "CloseHandle",
	"WaitForSingleObject", "ExAllocatePoolWithTag", "IoCompleteRequest", "KeInitializeEvent",
	"NdisMIndicateReceiveNetBufferLists", "api-ms-win-core-synch-l1-2-0.dll", "KERNEL32.dll",
	"ntdll.dll", "msvcrt.dll", "ADVAPI32.dll", "Microsoft Corporation", "Windows",
	"10.0.19041.1", "FileVersion", "ProductVersion", "CompanyName", "LegalCopyright",
	"\xff\x25", "\x48\x8b\x05", "\x48\x89\x5c\x24\x08", "\xcc\xcc\xcc\xcc", "\xe8\x00\x00",
	".text", ".rdata", ".data", ".pdata", ".rsrc", ".reloc", "This program cannot be run",
	"<assemblyIdentity name=\"Microsoft-Windows-", "processorArchitecture=\"amd64\"",
	"publicKeyToken=\"31bf3856ad364e35\"", "version=\"10.0.19041.", "</file>", "<file name=\"",
	"sha256", "DigestValue", "xmlns=\"urn:schemas-microsoft-com:asm.v3\"",
};
#define NIDENTS (sizeof(idents) / sizeof(idents[0]))

static void fill(unsigned char *buf, size_t n, struct rng *r)
{
	size_t pos = 0;
	while (pos < n) {
		uint64_t x = next(r);
		unsigned kind = (unsigned)(x % 100);
		size_t len;
		if (kind < PCT_RANDOM) {
			len = 16 + (x >> 8) % 112;
			if (len > n - pos)
				len = n - pos;
			for (size_t i = 0; i < len; i += 8) {
				uint64_t v = next(r);
				size_t k = len - i < 8 ? len - i : 8;
				memcpy(buf + pos + i, &v, k);
			}
		} else if (kind < PCT_RANDOM + PCT_REPEAT && pos > 64) {
			size_t max = pos < 24000 ? pos : 24000;
			size_t dist = 1 + (x >> 8) % max;
			len = 6 + (x >> 32) % 40;
			if (len > n - pos)
				len = n - pos;
			for (size_t i = 0; i < len; i++)
				buf[pos + i] = buf[pos + i - dist];
		} else if (kind < PCT_RANDOM + PCT_REPEAT + PCT_ZEROS) {
			len = 4 + (x >> 8) % 60;
			if (len > n - pos)
				len = n - pos;
			memset(buf + pos, 0, len);
		} else {
			const char *w = idents[(x >> 8) % NIDENTS];
			len = strlen(w);
			if (len > n - pos)
				len = n - pos;
			memcpy(buf + pos, w, len);
			if (pos + len < n && ((x >> 40) & 3) == 0)
				buf[pos + len++] = (unsigned char)(x >> 48);
		}
		pos += len;
	}
}

/* ---- paths ------------------------------------------------------------------------- */

static char *root;
static uint64_t seed;
static unsigned char *buf;

/* A set of lowercased paths, so that no two names differ by case only. */
static char **set;
static size_t set_cap, set_len;

static int set_add(const char *path)
{
	char low[4096];
	size_t i;
	for (i = 0; path[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)path[i]);
	low[i] = 0;
	if (set_len * 2 >= set_cap) {
		size_t ncap = set_cap ? set_cap * 2 : 1 << 16;
		char **n = calloc(ncap, sizeof(*n));
		if (!n)
			abort();
		for (size_t j = 0; j < set_cap; j++) {
			if (!set[j])
				continue;
			size_t h = hash_str(0, set[j]) & (ncap - 1);
			while (n[h])
				h = (h + 1) & (ncap - 1);
			n[h] = set[j];
		}
		free(set);
		set = n;
		set_cap = ncap;
	}
	size_t h = hash_str(0, low) & (set_cap - 1);
	while (set[h]) {
		if (!strcmp(set[h], low))
			return 0;
		h = (h + 1) & (set_cap - 1);
	}
	set[h] = strdup(low);
	set_len++;
	return 1;
}

static void mkdirs(const char *rel)
{
	char p[8192];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST) {
			fprintf(stderr, "mktree: cannot create '%s': %s\n", p, strerror(errno));
			exit(1);
		}
		*s = '/';
	}
}

static void make_root(void)
{
	if (mkdir(root, 0755) && errno != EEXIST) {
		fprintf(stderr, "mktree: cannot create '%s': %s\n", root, strerror(errno));
		exit(1);
	}
}

static void write_file(const char *rel, size_t size)
{
	char p[8192];
	struct rng r = { hash_str(seed, rel) };
	if (size > MAX_FILE)
		size = MAX_FILE;
	mkdirs(rel);
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "mktree: cannot create '%s': %s\n", p, strerror(errno));
		exit(1);
	}
	fill(buf, size, &r);
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, buf + off, size - off);
		if (w < 0) {
			fprintf(stderr, "mktree: cannot write '%s': %s\n", p, strerror(errno));
			exit(1);
		}
		off += (size_t)w;
	}
	close(fd);
}

/* ---- the tree ---------------------------------------------------------------------- */

#define CATROOT "Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}"

/* A category of files: where they go, how many (per mille of NFILES), typical size. */
struct cat {
	const char *dir;   /* folder; "%s" is replaced by a generated folder name */
	const char *folder; /* printf pattern of generated folders, or NULL */
	int permille;
	int per_folder;     /* files per generated folder (average) */
	const char *exts;   /* space-separated extensions */
	double median;      /* median size in bytes */
};

static const struct cat cats[] = {
	{ "Windows/WinSxS", "amd64_microsoft-windows-%s_31bf3856ad364e35_10.0.19041.%u_none_%016llx",
	  330, 4, "dll exe sys mui", 48000 },
	{ "Windows/WinSxS", "wow64_microsoft-windows-%s_31bf3856ad364e35_10.0.19041.%u_none_%016llx",
	  60, 3, "dll exe", 40000 },
	{ "Windows/WinSxS", "x86_microsoft-windows-%s_31bf3856ad364e35_10.0.19041.%u_none_%016llx",
	  40, 3, "dll mui", 30000 },
	{ "Windows/WinSxS", "msil_%s_31bf3856ad364e35_10.0.19041.%u_none_%016llx",
	  20, 2, "dll", 60000 },
	{ "Windows/WinSxS/Manifests", NULL, 150, 0, "manifest", 2500 },
	{ "Windows/System32", NULL, 110, 0, "dll dll dll exe sys cpl ocx", 90000 },
	{ "Windows/System32/en-US", NULL, 40, 0, "dll.mui exe.mui", 9000 },
	{ "Windows/System32/drivers", NULL, 20, 0, "sys", 50000 },
	{ "Windows/System32/drivers/en-US", NULL, 8, 0, "sys.mui", 4000 },
	{ "Windows/System32/DriverStore/FileRepository", "%s.inf_amd64_%016llx", 60, 4,
	  "inf sys cat PNF dll", 20000 },
	{ "Windows/System32/DriverStore/en-US", NULL, 8, 0, "inf_loc", 3000 },
	{ CATROOT, NULL, 25, 0, "cat", 9000 },
	{ "Windows/INF", NULL, 20, 0, "inf PNF", 12000 },
	{ "Windows/SysWOW64", NULL, 50, 0, "dll dll exe", 70000 },
	{ "Windows/servicing/Packages", NULL, 15, 0, "mum cat", 6000 },
	{ "Windows/Fonts", NULL, 4, 0, "ttf ttc fon", 300000 },
	{ "Program Files/Windows Defender", NULL, 5, 0, "dll exe", 200000 },
	{ "Program Files/Common Files/microsoft shared", NULL, 6, 0, "dll", 150000 },
	{ "Program Files/WindowsApps", "Microsoft.%s_10.0.19041.%u_x64__8wekyb3d8bbwe", 12, 6,
	  "dll exe png xml", 60000 },
	{ "Program Files (x86)/Common Files", NULL, 5, 0, "dll", 90000 },
	{ "ProgramData/Microsoft/Windows", NULL, 5, 0, "dat xml", 8000 },
	{ "Users/Default/AppData/Local/Microsoft/Windows", NULL, 3, 0, "dat ini", 4000 },
	{ "Windows/Microsoft.NET/Framework64/v4.0.30319", NULL, 4, 0, "dll", 120000 },
};
#define NCATS (sizeof(cats) / sizeof(cats[0]))

struct file {
	char *path;
	double weight;
	int link;  /* System32 file also hard-linked into a WinSxS folder */
};

static const char *pick_ext(const char *exts, struct rng *r)
{
	static char e[32];
	int n = 1;
	for (const char *s = exts; *s; s++)
		n += *s == ' ';
	int k = (int)(next(r) % (uint64_t)n);
	const char *s = exts;
	while (k--)
		s = strchr(s, ' ') + 1;
	size_t l = strcspn(s, " ");
	memcpy(e, s, l);
	e[l] = 0;
	return e;
}

static void component(char *out, size_t sz, struct rng *r)
{
	uint64_t x = next(r);
	char a[32], b[32];
	snprintf(a, sizeof(a), "%s", words[x % NWORDS]);
	snprintf(b, sizeof(b), "%s", words[(x >> 16) % NWORDS]);
	for (char *s = a; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	for (char *s = b; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	snprintf(out, sz, "%s-%s", a, b);
}

static int cmd_tree(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: mktree tree DIR TOTAL_BYTES NFILES SEED\n");
		return 2;
	}
	root = argv[2];
	make_root();
	double total = strtod(argv[3], NULL);
	size_t nfiles = strtoul(argv[4], NULL, 10);
	seed = strtoull(argv[5], NULL, 10);
	struct rng r = { seed };
	struct file *files = calloc(nfiles + NCATS * 8, sizeof(*files));
	size_t nf = 0;
	unsigned folder_no = 0;
	char path[4096], folder[512], comp[128];

	for (size_t c = 0; c < NCATS; c++) {
		const struct cat *k = &cats[c];
		size_t want = nfiles * (size_t)k->permille / 1000;
		if (c == NCATS - 1)
			want = nfiles > nf ? nfiles - nf : 0;
		size_t left_in_folder = 0;
		for (size_t i = 0; i < want; i++) {
			if (k->folder && left_in_folder == 0) {
				component(comp, sizeof(comp), &r);
				folder_no++;
				if (strstr(k->folder, "inf_amd64"))
					snprintf(folder, sizeof(folder), k->folder, comp + strcspn(comp, "-") + 1,
						 (unsigned long long)next(&r));
				else
					snprintf(folder, sizeof(folder), k->folder, comp,
						 1 + (unsigned)(next(&r) % 2900), (unsigned long long)next(&r));
				left_in_folder = 1 + next(&r) % (uint64_t)(2 * k->per_folder - 1);
			}
			const char *ext = pick_ext(k->exts, &r);
			uint64_t x = next(&r);
			for (unsigned n = 0;; n++) {
				const char *w1 = words[x % NWORDS], *w2 = words[(x >> 16) % NWORDS];
				char num[16] = "";
				if (n)
					snprintf(num, sizeof(num), "%u", n + 1);
				if (k->folder)
					snprintf(path, sizeof(path), "%s/%s/%s%s%s.%s", k->dir, folder, w1, w2, num, ext);
				else if (!strcmp(ext, "manifest"))
					snprintf(path, sizeof(path), "%s/amd64_microsoft-windows-%s%s%s_31bf3856ad364e35_10.0.19041.%u_none_%016llx.%s",
						 k->dir, w1, w2, num, (unsigned)(x >> 40) % 2900, (unsigned long long)next(&r), ext);
				else if (!strcmp(ext, "cat") || !strcmp(ext, "mum"))
					snprintf(path, sizeof(path), "%s/Package_%u_for_KB%u~31bf3856ad364e35~amd64~~10.0.19041.%u%s.%s",
						 k->dir, (unsigned)(x >> 32) % 9000, 4000000 + (unsigned)(x >> 20) % 999999,
						 (unsigned)(x >> 44) % 2900, num, ext);
				else
					snprintf(path, sizeof(path), "%s/%s%s%s.%s", k->dir, w1, w2, num, ext);
				for (char *s = path + strlen(k->dir); *s; s++)
					if (!strncasecmp(s, "lbfo", 4))
						s[0] = 'x';
				if (set_add(path))
					break;
			}
			if (k->folder)
				left_in_folder--;
			files[nf].path = strdup(path);
			files[nf].weight = exp(log(k->median) + 1.3 * normal(&r));
			files[nf].link = !strcmp(k->dir, "Windows/System32") && (next(&r) & 1);
			nf++;
		}
	}

	double sum = 0;
	for (size_t i = 0; i < nf; i++)
		sum += files[i].weight;
	buf = malloc(MAX_FILE);
	if (!buf)
		abort();
	unsigned long long bytes = 0, links = 0;
	for (size_t i = 0; i < nf; i++) {
		size_t size = (size_t)(files[i].weight * total / sum);
		if (size > MAX_FILE)
			size = MAX_FILE;
		write_file(files[i].path, size);
		bytes += size;
		if (files[i].link) {
			const char *base = strrchr(files[i].path, '/') + 1;
			char from[8192], to[8192];
			component(comp, sizeof(comp), &r);
			snprintf(path, sizeof(path),
				 "Windows/WinSxS/amd64_microsoft-windows-%s_31bf3856ad364e35_10.0.19041.%u_none_%016llx/%s",
				 comp, 1 + (unsigned)(next(&r) % 2900), (unsigned long long)next(&r), base);
			if (!set_add(path))
				continue;
			mkdirs(path);
			snprintf(from, sizeof(from), "%s/%s", root, files[i].path);
			snprintf(to, sizeof(to), "%s/%s", root, path);
			if (link(from, to)) {
				fprintf(stderr, "mktree: cannot link '%s': %s\n", to, strerror(errno));
				return 1;
			}
			links++;
		}
	}
	printf("files %zu links %llu bytes %llu\n", nf, links, bytes);
	return 0;
}

static int cmd_files(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: mktree files DIR SEED SIZE PATH...\n");
		return 2;
	}
	root = argv[2];
	make_root();
	seed = strtoull(argv[3], NULL, 10);
	size_t size = strtoul(argv[4], NULL, 10);
	buf = malloc(size > MAX_FILE ? MAX_FILE : size + 1);
	if (!buf)
		abort();
	for (int i = 5; i < argc; i++)
		write_file(argv[i], size);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "tree"))
		return cmd_tree(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "files"))
		return cmd_files(argc, argv);
	fprintf(stderr, "usage: mktree tree DIR TOTAL_BYTES NFILES SEED\n"
			"       mktree files DIR SEED SIZE PATH...\n");
	return 2;
}
