/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "config.h"
#include "base/names.h"
#include "cli.h"
#include "core/fault.h"

static const cli_verb verbs[] = {
        { "net-define", verb_net_define, "FILE" },
        { "net-undefine", verb_net_undefine, "NAME" },
        { "net-start", verb_net_start, "NAME" },
        { "net-destroy", verb_net_destroy, "NAME [--force]" },
        { "net-autostart", verb_net_autostart, "NAME [--disable]" },
        { "net-list", verb_net_list, "" },
        { "net-dumpxml", verb_net_dumpxml, "NAME" },
        { "net-info", verb_net_info, "NAME" },
        { "port-create", verb_port_create,
          "NET [--mac MAC] [--owner NAME] [--owner-uuid UUID] [--portgroup PG] [--vlan TAG] [--xml FILE] "
          "[--device PCI|IFNAME | --reclaim] "
          "[--prepare [--incoming]]" },
        { "port-prepare", verb_port_prepare, "UUID [--incoming]" },
        { "port-activate", verb_port_activate, "UUID | --owner NAME" },
        { "port-deactivate", verb_port_deactivate, "UUID | --owner NAME" },
        { "port-delete", verb_port_delete, "UUID | --owner NAME" },
        { "port-list", verb_port_list, "[NET]" },
        { "port-dumpxml", verb_port_dumpxml, "UUID" },
        { "reconcile", verb_reconcile, "" },
        { "vf-list", verb_vf_list, "PF" },
        { "vf-set-mac", verb_vf_set_mac, "{PCI | IFNAME | PF VFNUM} MAC" },
};

/* Verbs that only read: they never create the state directory or database. */
static bool verb_reads_only(const char *name) {
        static const char *const readers[] = { "net-list",  "net-dumpxml",  "net-info",
                                               "port-list", "port-dumpxml", "vf-list" };

        for (size_t i = 0; i < ELEMENTSOF(readers); i++)
                if (streq(readers[i], name))
                        return true;
        return false;
}

/* Lives as long as the process: the context keeps using its table. */
static fault_ops *faults;

static void usage(FILE *f) {
        fprintf(f, "Usage: vport [--json] [--state-dir DIR] COMMAND [ARGS]\n\nCommands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-16s %s\n", verbs[i].name, verbs[i].usage);
        fprintf(f, "\nEnvironment: VPORT_STATE_DIR (default %s), VPORT_SYSFS_ROOT (default /sys)%s\n",
                VPORT_DEFAULT_STATE_DIR,
                WITH_FAULT_INJECTION ? ",\nVPORT_FAULT (fault injection for tests, see core/fault.h)" : "");
}

int cli_ctx(vport_cli *cli, vport_ctx **ret) {
        const char *spec = getenv("VPORT_FAULT");
        vport_ctx_options opts = { 0 };
        int r;

        if (!cli->ctx) {
                if (spec && *spec) {
                        r = fault_ops_new(spec, &vport_kernel_ops_real, &faults, &opts.ops, &cli->err);
                        if (r < 0)
                                return r;
                }
                opts.read_only = cli->read_only;
                r = vport_ctx_open(&opts, &cli->ctx, &cli->err);
                if (r < 0)
                        return r;
                if (faults)
                        fault_ops_watch_store(faults, cli->ctx);
        }
        *ret = cli->ctx;
        return 0;
}

int cli_print_json(json_object *o) {
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return 0;
}

int cli_fail(vport_cli *cli, int r, const char *what) {
        fprintf(stderr, "vport: %s: %s\n", what, vport_error_message(&cli->err, r));
        return r;
}

int cli_usage_error(const char *verb, const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "vport %s: ", verb);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, verb))
                        fprintf(stderr, "usage: vport %s %s\n", verb, verbs[i].usage);
        return -EINVAL;
}

#define CLI_ESC_SLOTS 16
#define CLI_ESC_MAX   1024 /* a name is at most 200 bytes, 4 bytes per escaped byte */

static void esc_byte(char **o, const char *end, unsigned char c) {
        static const char short_esc[] = { ['\n'] = 'n', ['\t'] = 't', ['\r'] = 'r', ['\\'] = '\\' };
        int n;

        if (c < sizeof(short_esc) && short_esc[c])
                n = snprintf(*o, (size_t) (end - *o), "\\%c", short_esc[c]);
        else
                n = snprintf(*o, (size_t) (end - *o), "\\x%02x", c);
        *o += n > 0 && *o + n < end ? n : 0;
}

const char *cli_esc(const char *s) {
        static char slots[CLI_ESC_SLOTS][CLI_ESC_MAX];
        static unsigned next;
        char *buf = slots[next++ % CLI_ESC_SLOTS], *o = buf;
        const char *end = buf + CLI_ESC_MAX - 5; /* room for one escape and the NUL */
        uint32_t cp;
        size_t n;

        if (!s)
                return "-";
        for (; *s && o < end; s += n) {
                n = utf8_decode(s, &cp);
                if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == '\\') {
                        esc_byte(&o, end + 5, (unsigned char) *s);
                        n = 1;
                        continue;
                }
                memcpy(o, s, n);
                o += n;
        }
        *o = '\0';
        return buf;
}

#define CLI_FILE_MAX (16u << 20) /* the library's document size cap */

/* Every failure names the file and its own cause: errno is read where the
 * call failed, never later (a stale errno said "No such file or directory"
 * for a file that was only too large). */
int cli_read_file(const char *path, char **ret, vport_error *err) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        const char *nul;

        fd = streq(path, "-") ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return vport_error_set(err, -errno, "%s: %s", path, strerror(errno));
        for (;;) {
                ssize_t k;

                if (len + 4096 + 1 > cap) {
                        char *n = realloc(buf, cap = cap ? cap * 2 : 8192);
                        if (!n)
                                return vport_error_set(err, -ENOMEM, "%s: out of memory", path);
                        buf = n;
                }
                k = read(fd, buf + len, cap - len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return vport_error_set(err, -errno, "%s: %s", path, strerror(errno));
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > CLI_FILE_MAX)
                        return vport_error_set(err, -EFBIG, "%s: larger than %u MiB", path,
                                               CLI_FILE_MAX >> 20);
        }
        /* the library takes a string: whatever followed a NUL would be ignored */
        if ((nul = memchr(buf ? buf : "", '\0', len)))
                return vport_error_set(err, -EINVAL, "%s: NUL byte at offset %zu: not a text file", path,
                                       (size_t) (nul - buf));
        if (!buf && !(buf = malloc(1)))
                return vport_error_set(err, -ENOMEM, "%s: out of memory", path);
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

/* What the library did that the user should know although it worked. */
static void print_notices(const vport_ctx *ctx) {
        const char *const *notes;
        size_t n = ctx ? vport_ctx_notices(ctx, &notes) : 0;

        for (size_t i = 0; i < n; i++)
                fprintf(stderr, "vport: note: %s\n", notes[i]);
}

static const cli_verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "state-dir", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        vport_cli cli = { 0 };
        const cli_verb *verb;
        int c, r;

        /* '+': stop at the first non-option, the verb parses the rest. */
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0) {
                switch (c) {
                case 'j':
                        cli.json = true;
                        break;
                case 's':
                        setenv("VPORT_STATE_DIR", optarg, 1);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'V':
                        puts(VPORT_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return 2;
        }
        verb = verb_find(argv[optind]);
        if (!verb) {
                fprintf(stderr, "vport: unknown command '%s' (see vport --help)\n", argv[optind]);
                return 2;
        }
        argc -= optind;
        argv += optind;
        optind = 0; /* reset getopt for the verb */
        cli.read_only = verb_reads_only(verb->name);
        r = verb->run(&cli, argc, argv);
        print_notices(cli.ctx);
        vport_ctx_close(cli.ctx);
        fault_ops_free(faults);
        return r == -EINVAL && !vport_error_isset(&cli.err) ? 2 : r < 0 ? 1 : 0;
}
