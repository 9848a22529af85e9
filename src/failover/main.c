/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport-failover: the command line. `run` is the agent; every other verb is
 * one varlink call to it. Exit codes: 0 done, 1 failed, 2 wrong command line. */
#include <getopt.h>
#include <stdio.h>

#include "config.h"
#include "failover.h"

typedef struct fo_cli {
        const char *socket;
        const char *state_dir;
        const char *vf_pci;
        bool json;
        bool state_dir_set;
        int argc;
        char **argv; /* the verb's arguments */
} fo_cli;

typedef struct fo_verb {
        const char *name;
        const char *usage;
        const char *summary;
        int args; /* exact number of arguments */
        int (*fn)(fo_cli *c);
} fo_verb;

static int usage_error(const char *verb, const char *fmt, const char *arg) {
        fprintf(stderr, "vport-failover: %s: ", verb);
        fprintf(stderr, fmt, arg);
        fputc('\n', stderr);
        return 2;
}

/* One call; a varlink error reply becomes "vport-failover: VERB: message". */
static int call(fo_cli *c, const char *verb, const char *method, json_object *params, json_object **ret) {
        json_object *reply = NULL, *error, *p, *m;
        vport_error e = {};
        int r = vl_call_sync(c->socket, "the failover agent", method, params, FO_MESSAGE_MAX,
                             FO_CALL_TIMEOUT_MS, &reply, &e);

        if (r < 0) {
                fprintf(stderr, "vport-failover: %s: %s%s\n", verb, vport_error_message(&e, r),
                        r == -ENOENT || r == -ECONNREFUSED ? " (is 'vport-failover run' running?)" : "");
                return 1;
        }
        if (json_object_object_get_ex(reply, "error", &error)) {
                const char *msg = json_object_get_string(error);

                if (json_object_object_get_ex(reply, "parameters", &p) &&
                    json_object_object_get_ex(p, "message", &m))
                        msg = json_object_get_string(m);
                fprintf(stderr, "vport-failover: %s: %s\n", verb, msg);
                json_object_put(reply);
                return 1;
        }
        *ret = reply;
        return 0;
}

static json_object *synth_params(fo_cli *c) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "synthetic", json_object_new_string(c->argv[0]));
        if (c->vf_pci)
                json_object_object_add(o, "vf_pci", json_object_new_string(c->vf_pci));
        return o;
}

static void print_pair(fo_cli *c, json_object *reply) {
        json_object *p;

        if (c->json && json_object_object_get_ex(reply, "parameters", &p))
                printf("%s\n", json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
}

static int simple_verb(fo_cli *c, const char *verb, const char *method) {
        json_object *reply = NULL;
        int r = call(c, verb, method, synth_params(c), &reply);

        if (r == 0)
                print_pair(c, reply);
        json_object_put(reply);
        return r;
}

static int verb_add(fo_cli *c) {
        vport_pci_addr addr;
        vport_error e = {};

        if (ifname_check(c->argv[0], &e) < 0)
                return usage_error("add", "%s", e.message);
        if (c->vf_pci && pci_addr_parse(c->vf_pci, &addr) < 0)
                return usage_error("add", "--vf-pci '%s': not a PCI address (DDDD:BB:SS.F)", c->vf_pci);
        return simple_verb(c, "add", "io.vport.Failover.Add");
}

static int verb_detach(fo_cli *c) {
        return simple_verb(c, "detach", "io.vport.Failover.Detach");
}

static int verb_remove(fo_cli *c) {
        return simple_verb(c, "remove", "io.vport.Failover.Remove");
}

static const char *field(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return "-";
        return json_object_get_string(v);
}

static int verb_list(fo_cli *c) {
        json_object *reply = NULL, *p, *pairs;
        int r = call(c, "list", "io.vport.Failover.List", NULL, &reply);

        if (r != 0)
                return r;
        if (!json_object_object_get_ex(reply, "parameters", &p) ||
            !json_object_object_get_ex(p, "pairs", &pairs))
                pairs = NULL;
        if (c->json)
                printf("%s\n", pairs ? json_object_to_json_string_ext(pairs, JSON_C_TO_STRING_PLAIN) : "[]");
        else {
                printf("%-16s %-16s %-12s %-18s %s\n", "SYNTHETIC", "VF", "PATH", "STATE", "WARNING");
                for (size_t i = 0; pairs && i < json_object_array_length(pairs); i++) {
                        json_object *o = json_object_array_get_idx(pairs, i);

                        printf("%-16s %-16s %-12s %-18s %s\n", field(o, "synthetic"), field(o, "vf"),
                               field(o, "path"), field(o, "state"), field(o, "warning"));
                }
        }
        json_object_put(reply);
        return 0;
}

static int verb_run(fo_cli *c) {
        return fo_agent_run(c->socket, c->state_dir, &vport_kernel_ops_real) < 0 ? 1 : 0;
}

static const fo_verb verbs[] = {
        { "run", "run [--socket PATH] [--state-dir DIR]", "manage the pairs (stays in the foreground)", 0,
          verb_run },
        { "add", "add SYNTH [--vf-pci ADDR]", "pair a synthetic device with the VF that will appear", 1,
          verb_add },
        { "list", "list [--json]", "show the pairs, their VF and data path", 0, verb_list },
        { "detach", "detach SYNTH", "move the data path back to SYNTH before the VF is unplugged", 1,
          verb_detach },
        { "remove", "remove SYNTH", "release the VF and forget the pair", 1, verb_remove },
};

static void usage(FILE *f) {
        fprintf(f, "Usage: vport-failover [--socket PATH] COMMAND [ARGS]\n\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-40s %s\n", verbs[i].usage, verbs[i].summary);
}

static const fo_verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

#define FO_MAX_ARGS 8

enum { OPT_SOCKET = 256, OPT_STATE_DIR, OPT_VF_PCI, OPT_JSON, OPT_VERSION };

/* One pass over the whole line: options may come before or after the verb
 * and its arguments; "--" ends the options. */
static int parse(int argc, char **argv, fo_cli *c, char **pos, int *ret_n) {
        static const struct option opts[] = {
                { "socket", required_argument, NULL, OPT_SOCKET },
                { "state-dir", required_argument, NULL, OPT_STATE_DIR },
                { "vf-pci", required_argument, NULL, OPT_VF_PCI },
                { "json", no_argument, NULL, OPT_JSON },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                {},
        };
        int o, n = 0;

        while (optind < argc) {
                o = getopt_long(argc, argv, "+h", opts, NULL);
                if (o < 0) {
                        if (optind >= argc)
                                break;
                        if (n == FO_MAX_ARGS)
                                return -E2BIG;
                        pos[n++] = argv[optind++];
                        continue;
                }
                switch (o) {
                case OPT_SOCKET:
                        c->socket = optarg;
                        break;
                case OPT_STATE_DIR:
                        c->state_dir = optarg;
                        c->state_dir_set = true;
                        break;
                case OPT_VF_PCI:
                        c->vf_pci = optarg;
                        break;
                case OPT_JSON:
                        c->json = true;
                        break;
                case 'h':
                        return 'h';
                case OPT_VERSION:
                        return 'v';
                default:
                        return -EINVAL;
                }
        }
        *ret_n = n;
        return 0;
}

int main(int argc, char **argv) {
        fo_cli c = { .socket = FO_DEFAULT_SOCKET, .state_dir = FO_DEFAULT_STATE_DIR };
        char *pos[FO_MAX_ARGS];
        const fo_verb *v;
        int r, n = 0;

        r = parse(argc, argv, &c, pos, &n);
        if (r == 'v') {
                printf("vport-failover %s\n", VPORT_VERSION);
                return 0;
        }
        if (r == 'h' || r < 0 || n == 0) {
                usage(r == 'h' ? stdout : stderr);
                return r == 'h' ? 0 : 2;
        }
        v = verb_find(pos[0]);
        if (!v)
                return usage_error(pos[0], "%s", "unknown command (see vport-failover --help)");
        if (n - 1 != v->args)
                return usage_error(v->name, "usage: vport-failover %s", v->usage);
        if ((c.vf_pci && !streq(v->name, "add")) ||
            (c.json && !streq(v->name, "list") && !streq(v->name, "add") && !streq(v->name, "detach")) ||
            (c.state_dir_set && !streq(v->name, "run")))
                return usage_error(v->name, "%s", "option not accepted by this command");
        c.argv = pos + 1;
        c.argc = n - 1;
        return v->fn(&c);
}
