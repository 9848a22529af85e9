/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Delegated IPAM, as the reference plugins do it (libcni's invoke.ExecPlugin):
 * the plugin named ipam.type is looked up in CNI_PATH and run with the same
 * stdin and environment; its stdout is its result or its error object. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cni.h"

#define IPAM_OUT_MAX (256 * 1024)

extern char **environ;

static int ipam_find(const cni_conf *c, const cni_env *env, char buf[static PATH_MAX], cni_error *e) {
        char path[4096], *save = NULL;

        if (!env->path)
                return cni_fail(e, CNI_ERR_ENV, "CNI_PATH is not set (needed to find the IPAM plugin '%s')",
                                c->ipam_type);
        snprintf(path, sizeof(path), "%s", env->path);
        for (char *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                snprintf(buf, PATH_MAX, "%s/%s", d, c->ipam_type);
                if (access(buf, X_OK) == 0)
                        return 0;
        }
        return cni_fail(e, CNI_ERR_CONFIG,
                        "invalid network config: \"ipam.type\": no plugin '%s' in CNI_PATH %s", c->ipam_type,
                        env->path);
}

/* The caller's environment with CNI_COMMAND (and for GC's releases the
 * attachment) replaced: the plugin's envp. The strings are the caller's or
 * in bufs. */
static char **ipam_env(const char *command, const char *containerid, const char *ifname,
                       char bufs[static 3][PATH_MAX]) {
        const char *set[] = { "CNI_COMMAND", "CNI_CONTAINERID", "CNI_IFNAME" };
        const char *val[] = { command, containerid, ifname };
        size_t n = 0, k = 0;
        char **envp;

        while (environ[n])
                n++;
        envp = calloc(n + 4, sizeof(*envp));
        if (!envp)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                bool replaced = false;
                for (size_t j = 0; j < 3; j++) {
                        size_t len = strlen(set[j]);
                        replaced |=
                                val[j] && strncmp(environ[i], set[j], len) == 0 && environ[i][len] == '=';
                }
                if (!replaced)
                        envp[k++] = environ[i];
        }
        for (size_t j = 0; j < 3; j++)
                if (val[j]) {
                        snprintf(bufs[j], PATH_MAX, "%s=%s", set[j], val[j]);
                        envp[k++] = bufs[j];
                }
        return envp;
}

/* Start the plugin: stdin from one pipe, stdout to another. posix_spawn
 * (vfork) rather than fork: the parent's page tables are not copied. The
 * child gets SIGPIPE's default back (the caller ignores it while writing). */
static int ipam_spawn(const cni_conf *c, cni_ipam_call *call, int in, int out, cni_error *e) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t def;
        char bufs[3][PATH_MAX], **envp, *argv[] = { call->bin, NULL };
        int r;

        envp = ipam_env(call->command, call->containerid, call->ifname, bufs);
        if (!envp)
                return cni_fail(e, CNI_ERR_INTERNAL, "out of memory");
        sigemptyset(&def);
        sigaddset(&def, SIGPIPE);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setsigdefault(&attr, &def);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
        r = posix_spawn(&call->pid, call->bin, &fa, &attr, argv, envp);
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&fa);
        free(envp);
        if (r != 0)
                return cni_fail(e, CNI_ERR_IO, "IPAM plugin %s: %s: %s", c->ipam_type, call->bin,
                                strerror(r));
        return 0;
}

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

static char *read_all(int fd) {
        size_t n = 0, size = 4096;
        char *buf = malloc(size);
        ssize_t k;

        while (buf && (k = read(fd, buf + n, size - n - 1)) != 0) {
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        break;
                n += (size_t) k;
                if (n + 1 == size) {
                        char *p = size < IPAM_OUT_MAX ? realloc(buf, size * 2) : NULL;
                        if (!p)
                                break;
                        buf = p;
                        size *= 2;
                }
        }
        if (buf)
                buf[n] = '\0';
        return buf;
}

/* Run the plugin with text on its stdin, which is written and closed
 * before this returns (SIGPIPE ignored meanwhile: a plugin that does not
 * read its stdin is judged by its exit); its stdout is read by
 * ipam_wait(). */
static int ipam_run(const cni_conf *c, cni_ipam_call *call, const char *text, size_t len, cni_error *e) {
        struct sigaction old, ign = { .sa_handler = SIG_IGN };
        int in[2], out[2], r;

        call->pid = -1;
        call->out = -1;
        if (pipe2(in, O_CLOEXEC) < 0)
                return cni_fail(e, CNI_ERR_IO, "IPAM plugin %s: pipe: %s", c->ipam_type, strerror(errno));
        if (pipe2(out, O_CLOEXEC) < 0) {
                r = errno;
                close(in[0]);
                close(in[1]);
                return cni_fail(e, CNI_ERR_IO, "IPAM plugin %s: pipe: %s", c->ipam_type, strerror(r));
        }
        r = ipam_spawn(c, call, in[0], out[1], e);
        close(in[0]);
        close(out[1]);
        if (r < 0) {
                close(in[1]);
                close(out[0]);
                return r;
        }
        sigaction(SIGPIPE, &ign, &old);
        (void) write_all(in[1], text, len);
        sigaction(SIGPIPE, &old, NULL);
        close(in[1]);
        call->out = out[0];
        return 0;
}

/* The plugin's output and exit status. */
static void ipam_wait(cni_ipam_call *call, char **ret_out, int *ret_status) {
        int status = 0;

        *ret_out = read_all(call->out);
        close(call->out);
        call->out = -1;
        while (waitpid(call->pid, &status, 0) < 0 && errno == EINTR)
                ;
        call->pid = -1;
        *ret_status = status;
}

/* One whole call: the plugin's exit status and output. */
static int ipam_call(const cni_conf *c, cni_ipam_call *call, const char *text, size_t len, char **ret_out,
                     int *ret_status, cni_error *e) {
        int r = ipam_run(c, call, text, len, e);

        if (r >= 0)
                ipam_wait(call, ret_out, ret_status);
        return r;
}

/* A failed plugin's error object passed on as ours (its code, its message). */
static int ipam_failed(const cni_conf *c, const char *command, const char *out, int status, cni_error *e) {
        json_object *o = out ? json_tokener_parse(out) : NULL, *v;
        int r;

        if (o && json_object_object_get_ex(o, "msg", &v)) {
                json_object *code;
                unsigned n = json_object_object_get_ex(o, "code", &code)
                                     ? (unsigned) json_object_get_int(code)
                                     : CNI_ERR_INTERNAL;
                r = cni_fail(e, n ? n : CNI_ERR_INTERNAL, "IPAM plugin %s %s: %s", c->ipam_type, command,
                             json_object_get_string(v));
        } else
                r = cni_fail(e, CNI_ERR_INTERNAL, "IPAM plugin %s %s failed (exit status %d)", c->ipam_type,
                             command, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        json_object_put(o);
        return r;
}

static bool exited_ok(int status) {
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* An IPAM plugin older than the configuration (Debian 12's host-local
 * speaks up to 1.0.0, the configuration may say 1.1.0) refuses with code
 * 1. Its VERSION answer names what it speaks: the newest version both
 * speak, not newer than the configuration's, is used instead (1.1 changed
 * nothing in what an IPAM plugin returns). NULL if there is none. */
static char *ipam_downgrade(const cni_conf *c, const cni_ipam_call *failed) {
        cni_ipam_call call = { .command = "VERSION" };
        char in[64], *out = NULL, *text = NULL;
        json_object *o, *a, *copy = NULL;
        const char *best = NULL;
        cni_error ignored;
        int status = 0;

        snprintf(call.bin, sizeof(call.bin), "%s", failed->bin);
        snprintf(in, sizeof(in), "{\"cniVersion\":\"%s\"}", c->cni_version);
        if (ipam_call(c, &call, in, strlen(in), &out, &status, &ignored) < 0 || !exited_ok(status) || !out)
                return free(out), NULL;
        o = json_tokener_parse(out);
        free(out);
        if (o && json_object_object_get_ex(o, "supportedVersions", &a) &&
            json_object_is_type(a, json_type_array))
                for (size_t i = 0; i < json_object_array_length(a); i++) {
                        const char *v = json_object_get_string(json_object_array_get_idx(a, i));
                        if (cni_version_supported(v) && cni_version_at_least(c->cni_version, v) &&
                            (!best || cni_version_at_least(v, best)))
                                best = v;
                }
        if (best && !streq_cmd(best, c->cni_version) && json_object_deep_copy(c->root, &copy, NULL) == 0) {
                json_object_object_add(copy, "cniVersion", json_object_new_string(best));
                text = strdup(json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN));
        }
        json_object_put(copy);
        json_object_put(o);
        return text;
}

static int ipam_failure_code(const char *out) {
        json_object *o = out ? json_tokener_parse(out) : NULL, *v;
        int code = o && json_object_object_get_ex(o, "code", &v) ? json_object_get_int(v) : 0;

        json_object_put(o);
        return code;
}

int cni_ipam_start(const cni_conf *c, const cni_env *env, const char *command, const char *containerid,
                   const char *ifname, cni_ipam_call *ret, cni_error *e) {
        *ret = (cni_ipam_call){
                .pid = -1, .out = -1, .command = command, .containerid = containerid, .ifname = ifname
        };
        if (ipam_find(c, env, ret->bin, e) < 0)
                return -1;
        return ipam_run(c, ret, c->text, c->text_len, e);
}

int cni_ipam_finish(const cni_conf *c, cni_ipam_call *call, json_object **ret, cni_error *e) {
        char *out = NULL, *older = NULL;
        int status = 0, r = 0;

        ipam_wait(call, &out, &status);
        if (!exited_ok(status) && ipam_failure_code(out) == CNI_ERR_VERSION &&
            (older = ipam_downgrade(c, call))) {
                free(out);
                out = NULL;
                r = ipam_call(c, call, older, strlen(older), &out, &status, e);
                free(older);
        }
        if (r < 0)
                return r;
        if (!exited_ok(status)) {
                r = ipam_failed(c, call->command, out, status, e);
                free(out);
                return r;
        }
        if (ret) {
                *ret = out && *out ? json_tokener_parse(out) : NULL;
                if (!*ret || !json_object_is_type(*ret, json_type_object)) {
                        json_object_put(*ret);
                        *ret = NULL;
                        free(out);
                        return cni_fail(e, CNI_ERR_DECODE,
                                        "IPAM plugin %s %s: its result is not a JSON object", c->ipam_type,
                                        call->command);
                }
        }
        free(out);
        return 0;
}

int cni_ipam_exec(const cni_conf *c, const cni_env *env, const char *command, const char *containerid,
                  const char *ifname, json_object **ret, cni_error *e) {
        cni_ipam_call call;

        if (cni_ipam_start(c, env, command, containerid, ifname, &call, e) < 0)
                return -1;
        return cni_ipam_finish(c, &call, ret, e);
}
