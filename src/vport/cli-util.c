/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every verb shares: the context, printing results and failures. */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "base/names.h"
#include "cli.h"
#include "config.h"
#include "core/fault.h"

/* Live as long as the process: the context keeps using the table. */
static fault_ops *faults;
static const vport_kernel_ops *faults_ops;

static const char *cli_state_dir(const vport_cli *cli) {
        return cli->state_dir ? cli->state_dir : store_state_dir(VPORT_DEFAULT_STATE_DIR);
}

int cli_faults_install(vport_cli *cli) {
        const char *spec = getenv("VPORT_FAULT");
        int r;

        if (!spec || !*spec)
                return 0;
        /* vportd makes the kernel calls of a --connect verb: a spec here
         * would never fire. */
        if (cli->connect)
                r = vport_error_set(&cli->err, -EINVAL,
                                    "not applied with --connect: vportd makes the kernel calls (set it in "
                                    "vportd's environment)");
        else
                r = fault_ops_new(spec, &vport_kernel_ops_real, &faults, &faults_ops, &cli->err);
        if (r < 0) {
                cli_object(cli, "environment", "VPORT_FAULT");
                return cli_fail(cli, r, "VPORT_FAULT");
        }
        return 0;
}

int cli_ctx(vport_cli *cli, vport_ctx **ret) {
        vport_ctx_options opts = { .state_dir = cli_state_dir(cli),
                                   .read_only = cli->verb && cli->verb->read_only,
                                   .ops = faults_ops };
        int r;

        if (!cli->ctx) {
                r = vport_ctx_open(&opts, &cli->ctx, &cli->err);
                if (r < 0)
                        return r;
                if (faults)
                        fault_ops_watch_store(faults, cli->ctx);
        }
        *ret = cli->ctx;
        return 0;
}

void cli_fault_free(void) {
        fault_ops_free(faults);
        faults = NULL;
        faults_ops = NULL;
}

void cli_object(vport_cli *cli, const char *kind, const char *name) {
        cli->obj_kind = kind;
        cli->obj_name = name;
}

int cli_print_json(vport_cli *cli, json_object *o) {
        int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

        flags |= cli->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN;
        puts(json_object_to_json_string_ext(o, flags));
        json_object_put(o);
        return 0;
}

static const char *verb_name(const vport_cli *cli) {
        return cli->verb ? cli->verb->name : "vport";
}

/* {"error": {"command", "code": "ENOENT", "errno": 2, "message", "object": {KIND: NAME}}} */
static void print_error_json(vport_cli *cli, int r, const char *message, const char *usage) {
        json_object *e = json_object_new_object(), *o = json_object_new_object();
        const char *code = strerrorname_np(-r);
        int flags = JSON_C_TO_STRING_NOSLASHESCAPE | JSON_C_TO_STRING_PLAIN;

        json_object_object_add(e, "command", json_object_new_string(verb_name(cli)));
        json_object_object_add(e, "code", json_object_new_string(code ? code : "EIO"));
        json_object_object_add(e, "errno", json_object_new_int(-r));
        json_object_object_add(e, "message", json_object_new_string(message));
        if (cli->obj_kind) {
                json_object *obj = json_object_new_object();
                json_object_object_add(obj, cli->obj_kind, json_object_new_string(strempty(cli->obj_name)));
                json_object_object_add(e, "object", obj);
        }
        if (usage)
                json_object_object_add(e, "usage", json_object_new_string(usage));
        json_object_object_add(o, "error", e);
        fprintf(stderr, "%s\n", json_object_to_json_string_ext(o, flags));
        json_object_put(o);
}

int cli_fail(vport_cli *cli, int r, const char *what) {
        _cleanup_free_ char *msg = NULL;
        const char *why = vport_error_message(&cli->err, r);

        if (asprintf(&msg, "%s%s%s", strempty(what), what ? ": " : "", why) < 0)
                msg = NULL;
        if (cli->json)
                print_error_json(cli, r, msg ? msg : why, NULL);
        else
                fprintf(stderr, "vport: %s: %s\n", verb_name(cli), msg ? msg : why);
        return r;
}

int cli_usage_error(vport_cli *cli, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL, *usage = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        cli->usage_error = true;
        if (cli->verb && asprintf(&usage, "vport %s%s%s", cli->verb->name, *cli->verb->usage ? " " : "",
                                  cli->verb->usage) < 0)
                usage = NULL;
        if (cli->json) {
                print_error_json(cli, -EINVAL, msg, usage);
                return -EINVAL;
        }
        if (cli->verb)
                fprintf(stderr, "vport: %s: %s\n", cli->verb->name, msg);
        else
                fprintf(stderr, "vport: %s\n", msg);
        if (usage)
                fprintf(stderr, "usage: %s\n", usage);
        else
                fprintf(stderr, "usage: vport [OPTIONS] COMMAND [ARGS] (see vport help)\n");
        return -EINVAL;
}

int cli_check_netname(vport_cli *cli, const char *name) {
        vport_error err = { 0 };

        cli_object(cli, "network", name);
        /* the library's message stops before the offending byte; the whole
         * name, escaped, says what was typed */
        if (netname_check(name, &err) < 0)
                return cli_usage_error(cli, "%s (given: '%s')", err.message, cli_esc(name));
        return 0;
}

int cli_check_ifname(vport_cli *cli, const char *name) {
        vport_error err = { 0 };

        cli_object(cli, "interface", name);
        /* the library's message stops before the offending byte; the whole
         * name, escaped, says what was typed */
        if (ifname_check(name, &err) < 0)
                return cli_usage_error(cli, "%s (given: '%s')", err.message, cli_esc(name));
        return 0;
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

/* Every failure names its own cause: errno is read where the call failed,
 * never later (a stale errno said "No such file or directory" for a file
 * that was only too large). */
static int read_fd(int fd, char **ret, vport_error *err) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        const char *nul;

        for (;;) {
                ssize_t k;

                if (len + 4096 + 1 > cap) {
                        char *n = realloc(buf, cap = cap ? cap * 2 : 8192);
                        if (!n)
                                return vport_error_set(err, -ENOMEM, "out of memory");
                        buf = n;
                }
                k = read(fd, buf + len, cap - len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return vport_error_set(err, -errno, "%s", strerror(errno));
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > CLI_FILE_MAX)
                        return vport_error_set(err, -EFBIG, "larger than %u MiB", CLI_FILE_MAX >> 20);
        }
        /* the library takes a string: whatever followed a NUL would be ignored */
        if ((nul = memchr(buf, '\0', len)))
                return vport_error_set(err, -EINVAL, "NUL byte at offset %zu: not a text file",
                                       (size_t) (nul - buf));
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

int cli_read_file(vport_cli *cli, const char *path, char **ret) {
        _cleanup_close_ int fd = streq(path, "-") ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *what = NULL;
        int r;

        vport_error_clear(&cli->err);
        r = fd < 0 ? vport_error_set(&cli->err, -errno, "%s", strerror(errno)) : read_fd(fd, ret, &cli->err);
        if (r >= 0)
                return 0;
        cli_object(cli, "file", path);
        if (asprintf(&what, "reading '%s'", path) < 0)
                what = NULL;
        return cli_fail(cli, r, what ? what : path);
}

json_object *cli_jget(json_object *o, const char *key) {
        json_object *v = NULL;

        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

const char *cli_jstr_null(json_object *o, const char *key) {
        json_object *v = cli_jget(o, key);

        return v ? json_object_get_string(v) : NULL;
}

const char *cli_jstr(json_object *o, const char *key) {
        return strempty(cli_jstr_null(o, key));
}

int64_t cli_jint(json_object *o, const char *key, int64_t def) {
        json_object *v = cli_jget(o, key);

        return v ? json_object_get_int64(v) : def;
}

bool cli_jbool(json_object *o, const char *key) {
        return json_object_get_boolean(cli_jget(o, key));
}
