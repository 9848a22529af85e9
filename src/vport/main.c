/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport's entry point: the table of verbs, one parser for the whole command
 * line, help, and the exit status (0 done, 1 failed, 2 wrong command line). */
#include <getopt.h>
#include <stdarg.h>

#include "cli.h"
#include "store/store.h"
#include "config.h"

#define ONE_PORT       "UUID | --owner NAME"
#define ONE_PORT_GEN   "UUID [--generation N] | --owner NAME"
#define DEFAULT_SOCKET "/run/vport/io.vport.socket"

static const cli_verb verbs[] = {
        { "help", verb_help, "[COMMAND]", "Show the commands, or one command's usage.", 0, 0, 1, false },
        { "net-define", verb_net_define, "FILE",
          "Define a network from libvirt <network> XML in FILE ('-': standard input).", 0, 1, 1, false },
        { "net-undefine", verb_net_undefine, "NAME",
          "Forget the definition of an inactive network that holds no ports.", 0, 1, 1, false },
        { "net-start", verb_net_start, "NAME",
          "Start a network: check that its bridge or devices exist and mark it active for this boot.", 0, 1,
          1, false },
        { "net-destroy", verb_net_destroy, "NAME [--force]",
          "Stop a network: delete all its ports (restoring their devices) and mark it inactive; refused "
          "while a port is active unless --force.",
          OPT_FORCE, 1, 1, false },
        { "net-autostart", verb_net_autostart, "NAME [--disable]",
          "Mark a network as autostarted, or with --disable unmark it.", OPT_DISABLE, 1, 1, false },
        { "net-list", verb_net_list, "", "List the defined networks.", 0, 0, 0, true },
        { "net-dumpxml", verb_net_dumpxml, "NAME", "Print a network's stored definition as XML.", 0, 1, 1,
          true },
        { "net-info", verb_net_info, "NAME",
          "Show a network's state and its devices with the connections each holds.", 0, 1, 1, true },
        { "port-create", verb_port_create,
          "NET [--mac MAC] [--owner NAME] [--owner-uuid UUID] [--portgroup PG] [--vlan TAG] [--xml FILE] "
          "[--device PCI|IFNAME | --reclaim] [--prepare [--incoming]]",
          "Allocate a port on an active network (a device from its pool, a MAC); with --prepare also "
          "prepare it.",
          OPT_MAC | OPT_OWNER | OPT_OWNER_UUID | OPT_PORTGROUP | OPT_VLAN | OPT_XML | OPT_DEVICE |
                  OPT_RECLAIM | OPT_PREPARE | OPT_INCOMING,
          1, 1, false },
        { "port-prepare", verb_port_prepare, "UUID [--incoming]",
          "Make a port's host side (tap, macvtap, VF settings), still down; --incoming on the target of "
          "a migration.",
          OPT_INCOMING, 1, 1, false },
        { "port-activate", verb_port_activate, ONE_PORT,
          "Bring a prepared port up, right before the guest CPUs run (--owner: every port of that VM).",
          OPT_OWNER, 0, 1, false },
        { "port-deactivate", verb_port_deactivate, ONE_PORT_GEN,
          "Take an active port down when the guest CPUs stop (--owner: every port of that VM).",
          OPT_OWNER | OPT_GENERATION, 0, 1, false },
        { "port-delete", verb_port_delete, ONE_PORT_GEN,
          "Delete a port: deactivate it, restore its devices as they were, forget it (--owner: every port "
          "of that VM).",
          OPT_OWNER | OPT_GENERATION, 0, 1, false },
        { "port-list", verb_port_list, "[NET]", "List the ports of one network, or of all.", 0, 0, 1, true },
        { "port-dumpxml", verb_port_dumpxml, "UUID", "Print a port as libvirt <networkport> XML.", 0, 1, 1,
          true },
        { "port-qemu-args", verb_port_qemu_args, "UUID... [--vhost]",
          "Print QEMU's -netdev/-device arguments for prepared ports (fds numbered from 3 in order, as "
          "port-exec passes them; <teaming> gives failover=on / failover_pair_id).",
          OPT_VHOST, 1, 64, true },
        { "port-exec", verb_port_exec, "UUID... [--vhost] -- COMMAND [ARGS...]",
          "Open the ports' tap and macvtap fds as 3, 4, ... and run COMMAND (QEMU) with its arguments "
          "followed by what port-qemu-args prints.",
          OPT_VHOST, 1, 64, true },
        { "reconcile", verb_reconcile, "",
          "Finish what an interrupted vport left half-done, drop ports of an earlier boot, and report "
          "drift (the host no longer as the ports set it up) without changing it.",
          0, 0, 0, false },
        { "vf-list", verb_vf_list, "PF",
          "List the VFs of an SR-IOV PF: PCI address, netdev, driver, PF-side settings, holding port.", 0, 1,
          1, true },
        { "vf-set-mac", verb_vf_set_mac, "{PCI | IFNAME | PF VFNUM} MAC",
          "Set a VF's MAC, through the PF and a VF driver rebind when the VF refuses it.", 0, 2, 3, false },
};

static const struct {
        unsigned bit;
        const char *name, *help;
} verb_options[] = {
        { OPT_MAC, "--mac MAC", "the guest NIC's MAC (default: from --xml, else generated)" },
        { OPT_OWNER, "--owner NAME", "the VM (port-create: its name; other verbs: all of its ports)" },
        { OPT_OWNER_UUID, "--owner-uuid UUID", "the VM's UUID" },
        { OPT_PORTGROUP, "--portgroup PG", "take VLAN, virtualport and bandwidth from this portgroup" },
        { OPT_VLAN, "--vlan TAG", "access VLAN tag 0-4095" },
        { OPT_XML, "--xml FILE", "start from this <networkport> XML ('-': standard input)" },
        { OPT_DEVICE, "--device PCI|IFNAME", "this device of the network's pool" },
        { OPT_RECLAIM, "--reclaim",
          "the --xml port names its device in <plug> (a dumped port fed back): take that device" },
        { OPT_PREPARE, "--prepare", "also prepare the port" },
        { OPT_INCOMING, "--incoming",
          "prepare on the target of an incoming migration (802.1Qbg pre-associate)" },
        { OPT_DISABLE, "--disable", "unmark instead of mark" },
        { OPT_FORCE, "--force", "also tear down active ports (their guests are running)" },
        { OPT_VHOST, "--vhost", "vhost=on on every -netdev (QEMU opens /dev/vhost-net; needs KVM)" },
        { OPT_GENERATION, "--generation N",
          "only if the port is still at generation N (its JSON shows it); else refused, nothing changed" },
};

static const cli_verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

static void usage(FILE *f) {
        fprintf(f, "Usage: vport [OPTIONS] COMMAND [ARGS]\n\nCommands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-16s %s\n", verbs[i].name, verbs[i].usage);
        fprintf(f,
                "\nOptions (anywhere on the line; -- ends options):\n"
                "  -j, --json           print results (and errors, on stderr) as JSON\n"
                "  -p, --pretty         indent JSON\n"
                "  --state-dir DIR      state directory (default $VPORT_STATE_DIR, else %s)\n"
                "  --connect[=SOCKET]   send the request to vportd (default socket %s)\n"
                "  -h, --help           this text; with a command, that command's usage\n"
                "  -V, --version        print the version\n"
                "\nEnvironment: VPORT_STATE_DIR, VPORT_SYSFS_ROOT (default /sys)%s\n"
                "Exit status: 0 done, 1 failed, 2 wrong command line. See vport(8).\n",
                VPORT_DEFAULT_STATE_DIR, DEFAULT_SOCKET,
                WITH_FAULT_INJECTION ? ",\nVPORT_FAULT (fault injection for tests, see core/fault.h)" : "");
}

static void verb_usage(const cli_verb *v) {
        printf("Usage: vport %s%s%s\n%s\n", v->name, *v->usage ? " " : "", v->usage, v->summary);
        if (v->options) {
                printf("\nOptions:\n");
                for (size_t i = 0; i < ELEMENTSOF(verb_options); i++)
                        if (v->options & verb_options[i].bit)
                                printf("  %-20s %s\n", verb_options[i].name, verb_options[i].help);
        }
        printf("\nGlobal options: -j/--json, -p/--pretty, --state-dir DIR (see vport help).\n");
}

/* {name, usage, summary, options: [...]} for --json help. */
static json_object *verb_json(const cli_verb *v) {
        json_object *o = json_object_new_object(), *opts = json_object_new_array();

        json_object_object_add(o, "name", json_object_new_string(v->name));
        json_object_object_add(o, "usage", json_object_new_string(v->usage));
        json_object_object_add(o, "summary", json_object_new_string(v->summary));
        for (size_t i = 0; i < ELEMENTSOF(verb_options); i++)
                if (v->options & verb_options[i].bit)
                        json_object_array_add(opts, json_object_new_string(verb_options[i].name));
        json_object_object_add(o, "options", opts);
        json_object_object_add(o, "read_only", json_object_new_boolean(v->read_only));
        return o;
}

int verb_help(vport_cli *cli, const cli_args *a) {
        const cli_verb *v = NULL;
        json_object *all;

        if (a->n_pos > 0 && !(v = verb_find(a->pos[0]))) {
                cli_object(cli, "command", a->pos[0]);
                return cli_usage_error(cli, "unknown command '%s'", a->pos[0]);
        }
        if (cli->json && v)
                return cli_print_json(cli, verb_json(v));
        if (cli->json) {
                all = json_object_new_array();
                for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                        json_object_array_add(all, verb_json(&verbs[i]));
                return cli_print_json(cli, all);
        }
        if (v)
                verb_usage(v);
        else
                usage(stdout);
        return 0;
}

/* What one pass of getopt found besides the arguments. */
typedef struct parse_result {
        bool help, version;
        char *error; /* the first problem with the command line, reported once the verb is known */
} parse_result;

static void parse_error(parse_result *p, const char *fmt, ...) _printf_(2, 3);
static void parse_error(parse_result *p, const char *fmt, ...) {
        va_list ap;

        if (p->error)
                return;
        va_start(ap, fmt);
        if (vasprintf(&p->error, fmt, ap) < 0)
                p->error = NULL;
        va_end(ap);
}

/* A verb option: its value and that it was given. */
static void set_opt(cli_args *a, int c, const char *arg) {
        static const struct {
                int c;
                unsigned bit;
                size_t off;
        } values[] = {
                { 'm', OPT_MAC, offsetof(cli_args, mac) },
                { 'o', OPT_OWNER, offsetof(cli_args, owner) },
                { 'u', OPT_OWNER_UUID, offsetof(cli_args, owner_uuid) },
                { 'g', OPT_PORTGROUP, offsetof(cli_args, portgroup) },
                { 'v', OPT_VLAN, offsetof(cli_args, vlan) },
                { 'x', OPT_XML, offsetof(cli_args, xml) },
                { 'd', OPT_DEVICE, offsetof(cli_args, device) },
                { 'G', OPT_GENERATION, offsetof(cli_args, generation) },
        };

        for (size_t i = 0; i < ELEMENTSOF(values); i++)
                if (values[i].c == c) {
                        *(const char **) ((char *) a + values[i].off) = arg;
                        a->given |= values[i].bit;
                        return;
                }
        if (c == 'P')
                a->prepare = true, a->given |= OPT_PREPARE;
        else if (c == 'I')
                a->incoming = true, a->given |= OPT_INCOMING;
        else if (c == 'D')
                a->disable = true, a->given |= OPT_DISABLE;
        else if (c == 'F')
                a->force = true, a->given |= OPT_FORCE;
        else if (c == 'R')
                a->reclaim = true, a->given |= OPT_RECLAIM;
        else if (c == 'H')
                a->vhost = true, a->given |= OPT_VHOST;
}

static const struct option options[] = {
        { "json", no_argument, NULL, 'j' },
        { "pretty", no_argument, NULL, 'p' },
        { "state-dir", required_argument, NULL, 's' },
        { "connect", optional_argument, NULL, 'C' },
        { "generation", required_argument, NULL, 'G' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "mac", required_argument, NULL, 'm' },
        { "owner", required_argument, NULL, 'o' },
        { "owner-uuid", required_argument, NULL, 'u' },
        { "portgroup", required_argument, NULL, 'g' },
        { "vlan", required_argument, NULL, 'v' },
        { "xml", required_argument, NULL, 'x' },
        { "device", required_argument, NULL, 'd' },
        { "prepare", no_argument, NULL, 'P' },
        { "incoming", no_argument, NULL, 'I' },
        { "disable", no_argument, NULL, 'D' },
        { "force", no_argument, NULL, 'F' },
        { "reclaim", no_argument, NULL, 'R' },
        { "vhost", no_argument, NULL, 'H' },
        {},
};

/* One getopt pass over the whole line (GNU permutation: options anywhere,
 * "--" ends them); what remains is the verb and its arguments. */
static void parse(vport_cli *cli, int argc, char **argv, cli_args *a, parse_result *p) {
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":jphV", options, NULL)) >= 0) {
                switch (c) {
                case 'j':
                        cli->json = true;
                        break;
                case 'p':
                        cli->pretty = true;
                        break;
                case 's':
                        cli->state_dir = optarg;
                        break;
                case 'C':
                        cli->connect = optarg ? optarg : DEFAULT_SOCKET;
                        break;
                case 'h':
                        p->help = true;
                        break;
                case 'V':
                        p->version = true;
                        break;
                case ':':
                        parse_error(p, "option '%s' needs a value", argv[optind - 1]);
                        break;
                case '?':
                        if (optopt)
                                parse_error(p, "unknown option '-%c'", optopt);
                        else
                                parse_error(p, "unknown option '%s'", argv[optind - 1]);
                        break;
                default:
                        set_opt(a, c, optarg);
                }
        }
        a->pos = argv + optind;
        a->n_pos = argc - optind;
}

/* The options and argument count fit the verb. Returns 0 or a usage error. */
static int check_args(vport_cli *cli, const cli_args *a) {
        const cli_verb *v = cli->verb;
        unsigned extra = a->given & ~v->options;

        for (size_t i = 0; extra && i < ELEMENTSOF(verb_options); i++)
                if (extra & verb_options[i].bit)
                        return cli_usage_error(cli, "does not take %.*s",
                                               (int) strcspn(verb_options[i].name, " "),
                                               verb_options[i].name);
        if (a->n_pos < v->min_pos || a->n_pos > v->max_pos) {
                if (v->max_pos == 0)
                        return cli_usage_error(cli, "takes no arguments ('%s' given)", a->pos[0]);
                return cli_usage_error(cli, "wrong number of arguments (%d given)", a->n_pos);
        }
        return 0;
}

static void print_notice(const vport_cli *cli, const char *note) {
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "note", json_object_new_string(note));
                fprintf(stderr, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
                json_object_put(o);
        } else
                fprintf(stderr, "vport: note: %s\n", note);
}

/* What the library (here or in vportd) did that the user should know although it worked. */
static void print_notices(const vport_cli *cli) {
        const char *const *notes;
        size_t n = cli->ctx ? vport_ctx_notices(cli->ctx, &notes) : 0;

        for (size_t i = 0; cli->notices && i < json_object_array_length(cli->notices); i++)
                print_notice(cli, json_object_get_string(json_object_array_get_idx(cli->notices, i)));
        for (size_t i = 0; i < n; i++)
                print_notice(cli, notes[i]);
}

/* How many arguments follow the first "--": getopt keeps their order and
 * puts them last among the arguments, so a verb that runs a command takes
 * that many from the end. */
static int count_after_dashes(int argc, char **argv) {
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--"))
                        return argc - i - 1;
        return -1;
}

/* A verb whose arguments end with "-- COMMAND [ARGS...]". */
static bool verb_takes_command(const cli_verb *v) {
        return v->run == verb_port_exec;
}

static void split_command(cli_args *a, int n_after) {
        if (n_after < 0 || n_after > a->n_pos)
                return;
        a->cmd = a->pos + a->n_pos - n_after;
        a->n_cmd = n_after;
        a->n_pos -= n_after;
}

static int run(vport_cli *cli, int argc, char **argv) {
        parse_result p = { 0 };
        cli_args a = { 0 };
        int n_after = count_after_dashes(argc, argv);
        int r;

        parse(cli, argc, argv, &a, &p);
        if (a.n_pos > 0) {
                cli->verb = verb_find(a.pos[0]);
                if (!cli->verb) {
                        free(p.error);
                        cli_object(cli, "command", a.pos[0]);
                        return cli_usage_error(cli, "%s: unknown command (see vport help)", a.pos[0]);
                }
                a.pos++, a.n_pos--;
                if (verb_takes_command(cli->verb))
                        split_command(&a, n_after);
        }
        if (p.error) {
                r = cli_usage_error(cli, "%s", p.error);
                free(p.error);
                return r;
        }
        if (p.version && cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "version", json_object_new_string(VPORT_VERSION));
                return cli_print_json(cli, o);
        }
        if (p.version) {
                printf("vport %s\n", VPORT_VERSION);
                return 0;
        }
        if (p.help && cli->verb) /* vport CMD --help = vport help CMD */
                return verb_help(cli,
                                 &(cli_args){ .pos = (char *[]){ (char *) cli->verb->name }, .n_pos = 1 });
        if (!cli->verb && p.help)
                return verb_help(cli, &(cli_args){ 0 });
        if (!cli->verb)
                return cli_usage_error(cli, "no command given");
        if ((r = check_args(cli, &a)) < 0)
                return r;
        if (verb_takes_command(cli->verb) && a.n_cmd == 0)
                return cli_usage_error(cli, "no command given after '--'");
        if ((r = cli_faults_install(cli)) < 0)
                return r;
        return cli->verb->run(cli, &a);
}

int main(int argc, char **argv) {
        vport_cli cli = { 0 };
        int r;

        store_sqlite_tune_process(); /* one short process, no threads */
        r = run(&cli, argc, argv);

        print_notices(&cli);
        json_object_put(cli.notices);
        vport_ctx_close(cli.ctx);
        cli_fault_free();
        return r >= 0 ? 0 : cli.usage_error ? 2 : 1;
}
