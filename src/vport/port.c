/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* port-* verbs and reconcile. */
#include "cli.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))

typedef struct port_line {
        const char *uuid, *network, *mac, *state, *device, *ifname, *tapdev; /* device..: NULL if none */
} port_line;

/* "Port UUID DONE (network N, mac M, state S[, device D][, ifname I][, tapdev T])" */
static void print_port_line(const port_line *l, const char *done) {
        printf("Port %s %s (network %s, mac %s, state %s", l->uuid, done, cli_esc(l->network), l->mac,
               l->state);
        if (l->device)
                printf(", device %s", cli_esc(l->device));
        if (l->ifname)
                printf(", ifname %s", cli_esc(l->ifname));
        if (l->tapdev)
                printf(", tapdev %s", cli_esc(l->tapdev));
        printf(")\n");
}

static void port_line_from_port(const vport_port *p, port_line *l, char uuid[static VPORT_UUID_STRLEN],
                                char mac[static VPORT_MAC_STRLEN]) {
        l->uuid = vport_uuid_format(vport_port_get_uuid(p), uuid);
        l->network = strempty(vport_port_get_network(p));
        l->mac = vport_mac_format(vport_port_get_mac(p), mac);
        l->state = vport_port_state_to_string(vport_port_get_state(p));
        l->device = vport_port_get_device(p);
        l->ifname = vport_port_get_ifname(p);
        l->tapdev = vport_port_get_tapdev(p);
}

static void port_line_from_json(json_object *o, port_line *l) {
        l->uuid = cli_jstr(o, "uuid");
        l->network = cli_jstr(o, "network");
        l->mac = cli_jstr(o, "mac");
        l->state = cli_jstr(o, "state");
        l->device = cli_jstr_null(o, "device");
        l->ifname = cli_jstr_null(o, "ifname");
        l->tapdev = cli_jstr_null(o, "tapdev");
}

/* A port as vportd sent it (o, taken) or as the library made it (port,
 * with o NULL). A local verb's line is read from the typed port: its JSON
 * is built only for --json. */
static int print_port(vport_cli *cli, json_object *o, const vport_port *port, const char *done) {
        char uuid[VPORT_UUID_STRLEN], mac[VPORT_MAC_STRLEN];
        port_line l;

        if (cli->json)
                return cli_print_json(cli, port ? vport_port_to_json(port) : o);
        if (port)
                port_line_from_port(port, &l, uuid, mac);
        else
                port_line_from_json(o, &l);
        print_port_line(&l, done);
        json_object_put(o);
        return 0;
}

/* --connect: call method, hand back reply[key]. */
static int call_key(vport_cli *cli, const char *method, json_object *params, const char *key,
                    json_object **ret) {
        json_object *reply = NULL;
        int r = cli_call(cli, method, params, &reply);

        if (r < 0) {
                json_object_put(reply);
                return r;
        }
        *ret = cli_take(reply, key);
        return 0;
}

static void param_str(json_object *p, const char *key, const char *value) {
        if (value)
                json_object_object_add(p, key, json_object_new_string(value));
}

static void param_bool(json_object *p, const char *key, bool value) {
        if (value)
                json_object_object_add(p, key, json_object_new_boolean(true));
}

typedef struct create_args {
        vport_port_request req;
        vport_mac mac;
        vport_uuid owner_uuid;
        char *xml; /* owned */
} create_args;

/* The values of port-create's options. Returns 0, a usage error, or a failure to read --xml. */
static int parse_create(vport_cli *cli, const cli_args *a, create_args *c) {
        uint16_t tag;
        int r;

        c->req = (vport_port_request){ .network = a->pos[0],
                                       .vlan = -1,
                                       .owner_name = a->owner,
                                       .portgroup = a->portgroup,
                                       .device = a->device };
        if ((r = cli_check_netname(cli, a->pos[0])) < 0)
                return r;
        if (a->mac && vport_mac_parse(a->mac, &c->mac) < 0)
                return cli_usage_error(cli, "--mac '%s': not a MAC address", a->mac);
        if (a->owner_uuid && vport_uuid_parse(a->owner_uuid, &c->owner_uuid) < 0)
                return cli_usage_error(cli, "--owner-uuid '%s': not a UUID", a->owner_uuid);
        if (a->vlan && vlan_tag_parse(a->vlan, &tag) < 0)
                return cli_usage_error(cli, "--vlan '%s': not a tag in 0-4095", a->vlan);
        if (a->incoming && !a->prepare)
                return cli_usage_error(cli, "--incoming only with --prepare");
        if (a->xml && (r = cli_read_file(cli, a->xml, &c->xml)) < 0)
                return r;
        c->req.mac = a->mac ? &c->mac : NULL;
        c->req.owner_uuid = a->owner_uuid ? &c->owner_uuid : NULL;
        c->req.vlan = a->vlan ? tag : -1;
        c->req.xml = c->xml;
        c->req.flags = (a->prepare ? VPORT_PORT_PREPARE : 0) | (a->incoming ? VPORT_PORT_INCOMING : 0) |
                       (a->reclaim ? VPORT_PORT_RECLAIM : 0);
        cli_object(cli, "network", a->pos[0]);
        return 0;
}

/* port-create's request as io.vport.PortCreate parameters (already checked). */
static json_object *create_params(const cli_args *a, const create_args *c) {
        json_object *p = json_object_new_object();

        param_str(p, "network", a->pos[0]);
        param_str(p, "xml", c->xml);
        param_str(p, "mac", a->mac);
        param_str(p, "owner", a->owner);
        param_str(p, "owner_uuid", a->owner_uuid);
        param_str(p, "portgroup", a->portgroup);
        param_str(p, "device", a->device);
        if (c->req.vlan >= 0)
                json_object_object_add(p, "vlan", json_object_new_int(c->req.vlan));
        param_bool(p, "reclaim", a->reclaim);
        param_bool(p, "prepare", a->prepare);
        param_bool(p, "incoming", a->incoming);
        return p;
}

int verb_port_create(vport_cli *cli, const cli_args *a) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        create_args c = { 0 };
        json_object *o = NULL;
        vport_ctx *ctx;
        int r;

        if ((r = parse_create(cli, a, &c)) < 0) { /* already reported */
                free(c.xml);
                return r;
        }
        if (cli->connect)
                r = call_key(cli, "io.vport.PortCreate", create_params(a, &c), "port", &o);
        else if ((r = cli_ctx(cli, &ctx)) >= 0)
                r = vport_port_create(ctx, &c.req, &port, &cli->err);
        free(c.xml);
        if (r < 0)
                return cli_fail(cli, r, NULL);
        return print_port(cli, o, port, "created");
}

/* The port a single-port verb is about. Returns 0 or a usage error. */
static int port_uuid(vport_cli *cli, const cli_args *a, vport_uuid *ret) {
        if (a->n_pos != 1)
                return cli_usage_error(cli, "expected a port UUID");
        cli_object(cli, "port", a->pos[0]);
        if (vport_uuid_parse(a->pos[0], ret) < 0)
                return cli_usage_error(cli, "'%s' is not a UUID", a->pos[0]);
        return 0;
}

/* --generation N: a positive integer. Returns 0 or a usage error. */
static int parse_generation(vport_cli *cli, const cli_args *a, uint64_t *ret) {
        char *end;

        *ret = 0;
        if (!a->generation)
                return 0;
        if (a->owner)
                return cli_usage_error(cli, "--generation only with a port UUID");
        errno = 0;
        *ret = strtoull(a->generation, &end, 10);
        if (errno || end == a->generation || *end || *ret == 0 || a->generation[0] == '-')
                return cli_usage_error(cli, "--generation '%s': not a positive integer", a->generation);
        return 0;
}

static json_object *uuid_params(const char *uuid, uint64_t generation) {
        json_object *p = json_object_new_object();

        param_str(p, "uuid", uuid);
        if (generation)
                json_object_object_add(p, "generation", json_object_new_int64((int64_t) generation));
        return p;
}

typedef int (*step_fn)(vport_ctx *ctx, const vport_uuid *uuid, uint64_t generation, vport_port **ret,
                       vport_error *err);
typedef int (*owner_fn)(vport_ctx *ctx, const char *owner, vport_error *err);

/* activate takes no --generation (the option table refuses it). */
static int activate_gen(vport_ctx *ctx, const vport_uuid *uuid, uint64_t generation, vport_port **ret,
                        vport_error *err) {
        return vport_port_activate(ctx, uuid, ret, err);
}

/* A verb's library call and its io.vport method. */
typedef struct port_verb {
        step_fn step;
        owner_fn owner;
        const char *method;
        const char *done;
} port_verb;

/* VERB --owner NAME: every port of one VM at once; {owner, DONE: N}. */
static int owner_step(vport_cli *cli, const char *owner, const port_verb *v) {
        json_object *o = NULL, *p;
        vport_ctx *ctx;
        int r;

        cli_object(cli, "owner", owner);
        if (cli->connect) {
                p = json_object_new_object();
                param_str(p, "owner", owner);
                r = call_key(cli, v->method, p, "owner", &o);
        } else if ((r = cli_ctx(cli, &ctx)) >= 0 && (r = v->owner(ctx, owner, &cli->err)) >= 0) {
                o = vport_count_result_json("owner", owner, v->done, r);
        }
        if (r < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, o);
        r = (int) cli_jint(o, v->done, 0);
        json_object_put(o);
        printf("%c%s %d port%s of %s\n", v->done[0] - 'a' + 'A', v->done + 1, r, r == 1 ? "" : "s",
               cli_esc(owner));
        return 0;
}

/* UUID | --owner NAME: exactly one of them. Returns 1 for --owner, 0 for a UUID, or a usage error. */
static int port_or_owner(vport_cli *cli, const cli_args *a, vport_uuid *ret) {
        if (a->owner && a->n_pos == 0)
                return 1;
        if (a->owner)
                return cli_usage_error(cli, "give a port UUID or --owner, not both");
        return port_uuid(cli, a, ret);
}

static int port_step(vport_cli *cli, const cli_args *a, const port_verb *v) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        json_object *o = NULL;
        uint64_t gen;
        vport_uuid uuid;
        vport_ctx *ctx;
        int r = port_or_owner(cli, a, &uuid);

        if (r >= 0 && (r = parse_generation(cli, a, &gen)) >= 0 && a->owner)
                r = 1;
        if (r != 0)
                return r > 0 ? owner_step(cli, a->owner, v) : r;
        if (cli->connect)
                r = call_key(cli, v->method, uuid_params(a->pos[0], gen), "port", &o);
        else if ((r = cli_ctx(cli, &ctx)) >= 0)
                r = v->step(ctx, &uuid, gen, &port, &cli->err);
        if (r < 0)
                return cli_fail(cli, r, NULL);
        return print_port(cli, o, port, v->done);
}

int verb_port_prepare(vport_cli *cli, const cli_args *a) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        json_object *o = NULL, *p;
        vport_uuid uuid;
        vport_ctx *ctx;
        int r;

        if ((r = port_uuid(cli, a, &uuid)) < 0)
                return r;
        if (cli->connect) {
                p = uuid_params(a->pos[0], 0);
                param_bool(p, "incoming", a->incoming);
                r = call_key(cli, "io.vport.PortPrepare", p, "port", &o);
        } else if ((r = cli_ctx(cli, &ctx)) >= 0)
                r = vport_port_prepare(ctx, &uuid, a->incoming ? VPORT_PORT_INCOMING : 0, &port, &cli->err);
        if (r < 0)
                return cli_fail(cli, r, NULL);
        return print_port(cli, o, port, "prepared");
}

int verb_port_activate(vport_cli *cli, const cli_args *a) {
        static const port_verb v = { activate_gen, vport_port_activate_owner, "io.vport.PortActivate",
                                     "activated" };
        return port_step(cli, a, &v);
}

int verb_port_deactivate(vport_cli *cli, const cli_args *a) {
        static const port_verb v = { vport_port_deactivate_gen, vport_port_deactivate_owner,
                                     "io.vport.PortDeactivate", "deactivated" };
        return port_step(cli, a, &v);
}

int verb_port_delete(vport_cli *cli, const cli_args *a) {
        static const port_verb v = { NULL, vport_port_delete_owner, "io.vport.PortDelete", "deleted" };
        json_object *o = NULL;
        uint64_t gen;
        vport_uuid uuid;
        vport_ctx *ctx;
        int r = port_or_owner(cli, a, &uuid);

        if (r >= 0 && (r = parse_generation(cli, a, &gen)) >= 0 && a->owner)
                r = 1;
        if (r != 0)
                return r > 0 ? owner_step(cli, a->owner, &v) : r;
        if (cli->connect)
                r = call_key(cli, v.method, uuid_params(a->pos[0], gen), "port", &o);
        else if ((r = cli_ctx(cli, &ctx)) >= 0 &&
                 (r = vport_port_delete_gen(ctx, &uuid, gen, &cli->err)) >= 0) {
                char u[VPORT_UUID_STRLEN];
                o = vport_count_result_json("uuid", vport_uuid_format(&uuid, u), "deleted", 1);
        }
        if (r < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, o);
        json_object_put(o);
        printf("Port %s deleted\n", a->pos[0]);
        return 0;
}

/* One row of port-list, from a port's JSON (--connect) or from the typed
 * port (the local list: no JSON is made for a table). */
typedef struct port_row {
        const char *uuid, *network, *mac, *state, *owner, *device;
        const char *damaged, *degraded; /* NULL: not */
        bool stale;
        char uuid_buf[VPORT_UUID_STRLEN], mac_buf[VPORT_MAC_STRLEN];
} port_row;

typedef void (*port_row_fn)(const void *list, size_t i, port_row *ret);

static void port_row_from_json(const void *list, size_t i, port_row *ret) {
        json_object *p = json_object_array_get_idx((json_object *) list, i);

        *ret = (port_row){ .uuid = cli_jstr(p, "uuid"),
                           .network = cli_jstr(p, "network"),
                           .mac = cli_jstr(p, "mac"),
                           .state = cli_jstr(p, "state"),
                           .owner = cli_jstr(cli_jget(p, "owner"), "name"),
                           .device = cli_jstr_null(p, "device"),
                           .damaged = cli_jstr_null(p, "damaged"),
                           .degraded = cli_jstr_null(p, "degraded"),
                           .stale = cli_jbool(p, "stale") };
}

static void port_row_from_port(const void *list, size_t i, port_row *ret) {
        const vport_port *p = ((vport_port *const *) list)[i];

        *ret = (port_row){ .network = vport_port_get_network(p),
                           .state = vport_port_state_to_string(vport_port_get_state(p)),
                           .owner = strempty(vport_port_get_owner_name(p)),
                           .device = vport_port_get_device(p),
                           .damaged = vport_port_get_damage(p),
                           .stale = vport_port_get_stale(p) };
        ret->uuid = vport_uuid_format(vport_port_get_uuid(p), ret->uuid_buf);
        ret->mac = vport_mac_format(vport_port_get_mac(p), ret->mac_buf);
}

/* Appends s padded to width bytes and a space (printf's "%-Ns "). */
static char *put_field(char *o, const char *s, size_t width) {
        size_t n = strlen(s);

        memcpy(o, s, n);
        if (n < width) {
                memset(o + n, ' ', width - n);
                n = width;
        }
        o[n] = ' ';
        return o + n + 1;
}

/* " UUID Network MAC State Owner Device": one write per row, not a printf
 * (a 4096-port table spent 11 M instructions in printf). A row that does
 * not fit the line (a daemon's reply can hold anything) is printed by
 * printf alike. */
static void print_row_fields(const char *f[6]) {
        static const size_t width[] = { 36, 12, 17, 9, 12, 0 };
        char line[8192], *o = line;
        size_t need = 2;

        for (size_t i = 0; i < 6; i++)
                need += MAX(strlen(f[i]), width[i]) + 1;
        if (need > sizeof(line)) {
                printf(" %-36s %-12s %-17s %-9s %-12s %s\n", f[0], f[1], f[2], f[3], f[4], f[5]);
                return;
        }
        *o++ = ' ';
        for (size_t i = 0; i < 6; i++)
                o = put_field(o, f[i], width[i]);
        o[-1] = '\n';
        fwrite(line, 1, (size_t) (o - line), stdout);
}

/* Every field escaped, so a name can not fake a row. */
static void print_port_row(const port_row *r) {
        const char *state = r->stale      ? "stale"
                            : r->damaged  ? "damaged"
                            : r->degraded ? "degraded"
                                          : r->state;
        const char *f[6] = { r->uuid, cli_esc(r->network), r->mac,
                             state,   cli_esc(r->owner),   cli_esc(r->device) };

        print_row_fields(f);
}

static void print_port_table(const void *list, size_t n, port_row_fn get) {
        const char *header[6] = { "UUID", "Network", "MAC", "State", "Owner", "Device" };
        bool notes = false;
        port_row row;

        print_row_fields(header);
        for (size_t i = 0; i < n; i++) {
                get(list, i, &row);
                print_port_row(&row);
                notes |= row.damaged || row.degraded;
        }
        /* why a port is listed as damaged, and what can be done with it */
        for (size_t i = 0; notes && i < n; i++) {
                get(list, i, &row);
                if (row.damaged)
                        fprintf(stderr, "vport: note: port %s: %s; it can only be deleted\n", row.uuid,
                                cli_esc(row.damaged));
                /* only vportd sees a device go (vport --connect) */
                else if (row.degraded)
                        fprintf(stderr, "vport: note: port %s is degraded: %s\n", row.uuid,
                                cli_esc(row.degraded));
        }
}

static int port_list_connect(vport_cli *cli, const char *net) {
        json_object *p = json_object_new_object(), *arr = NULL;
        int r;

        param_str(p, "network", net);
        r = call_key(cli, "io.vport.PortList", p, "ports", &arr);
        if (r < 0 || !arr)
                return cli_fail(cli, r < 0 ? r : -EPROTO, NULL);
        if (cli->json)
                return cli_print_json(cli, arr);
        print_port_table(arr, json_object_array_length(arr), port_row_from_json);
        json_object_put(arr);
        return 0;
}

/* The local list: the table from the typed ports; --json as the written
 * text (vport_ports_json_text(), the bytes vportd sends), --pretty through
 * json-c. */
static int port_list_local(vport_cli *cli, const char *net) {
        vport_port **ports = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        vport_ctx *ctx;
        int r;

        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_port_list_brief(ctx, net, &ports, &n, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (!cli->json)
                print_port_table(ports, n, port_row_from_port);
        else if (cli->pretty)
                r = cli_print_json(cli, vport_ports_to_json(ports, n));
        else if ((r = vport_ports_json_text(ports, n, NULL, &text, NULL)) >= 0)
                puts(text);
        vport_port_array_free(ports, n);
        return r < 0 ? cli_fail(cli, r, NULL) : 0;
}

int verb_port_list(vport_cli *cli, const cli_args *a) {
        const char *net = a->n_pos ? a->pos[0] : NULL;
        int r;

        if (net && (r = cli_check_netname(cli, net)) < 0)
                return r;
        return cli->connect ? port_list_connect(cli, net) : port_list_local(cli, net);
}

int verb_port_dumpxml(vport_cli *cli, const cli_args *a) {
        _cleanup_free_ char *xml = NULL;
        json_object *o = NULL;
        vport_uuid uuid;
        vport_ctx *ctx;
        int r;

        if ((r = port_uuid(cli, a, &uuid)) < 0)
                return r;
        if (cli->connect)
                r = cli_call(cli, "io.vport.PortGetXML", uuid_params(a->pos[0], 0), &o);
        else if ((r = cli_ctx(cli, &ctx)) >= 0 &&
                 (r = vport_port_dumpxml(ctx, &uuid, &xml, &cli->err)) >= 0) {
                char u[VPORT_UUID_STRLEN];
                o = vport_xml_result_json("uuid", vport_uuid_format(&uuid, u), xml);
        }
        if (r < 0) {
                json_object_put(o);
                return cli_fail(cli, r, NULL);
        }
        if (cli->json)
                return cli_print_json(cli, o);
        fputs(cli_jstr(o, "xml"), stdout);
        json_object_put(o);
        return 0;
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

/* What reconcile repaired, then the drift it only reports. */
static void print_reconcile(int handled, json_object *repaired, json_object *drift) {
        size_t n_rep = json_object_array_length(repaired), n_drift = json_object_array_length(drift);

        printf("Reconciled %d journal entr%s\n", handled, handled == 1 ? "y" : "ies");
        for (size_t i = 0; i < n_rep; i++) {
                json_object *o = json_object_array_get_idx(repaired, i), *v;
                if (json_object_object_get_ex(o, "stale_ports", &v))
                        printf("Repaired: %s (%d)\n", cli_esc(get_str(o, "action")), json_object_get_int(v));
                else if (json_object_object_get_ex(o, "network", &v))
                        printf("Repaired: network %s: %s\n", cli_esc(get_str(o, "network")),
                               cli_esc(get_str(o, "action")));
                else
                        printf("Repaired: port %s: %s\n", cli_esc(get_str(o, "port")),
                               cli_esc(get_str(o, "action")));
        }
        if (n_drift == 0) {
                printf("No drift found\n");
                return;
        }
        printf("Drift (reported only, nothing changed):\n");
        for (size_t i = 0; i < n_drift; i++) {
                json_object *o = json_object_array_get_idx(drift, i);
                if (get_str(o, "port")[0])
                        printf("  %s: port %s (owner %s, network %s): %s\n", cli_esc(get_str(o, "kind")),
                               cli_esc(get_str(o, "port")), cli_esc(get_str(o, "owner")),
                               cli_esc(get_str(o, "network")), cli_esc(get_str(o, "detail")));
                else
                        printf("  %s: %s\n", cli_esc(get_str(o, "kind")), cli_esc(get_str(o, "detail")));
        }
}

/* {handled, repaired, drift}, from the library or vportd. */
static int reconcile_run(vport_cli *cli, json_object **ret) {
        vport_repair **repaired = NULL;
        vport_drift_item **drift = NULL;
        size_t n_repaired = 0, n_drift = 0;
        vport_ctx *ctx;
        int r, handled;

        if (cli->connect)
                return call_key(cli, "io.vport.Reconcile", json_object_new_object(), "result", ret);
        if ((r = cli_ctx(cli, &ctx)) < 0 ||
            (r = vport_reconcile_ex(ctx, &repaired, &n_repaired, &cli->err)) < 0)
                return r;
        handled = r;
        if ((r = vport_drift(ctx, &drift, &n_drift, &cli->err)) < 0) {
                vport_repair_array_free(repaired, n_repaired);
                return r;
        }
        *ret = vport_reconcile_report_to_json(handled, repaired, n_repaired, drift, n_drift);
        vport_repair_array_free(repaired, n_repaired);
        vport_drift_item_array_free(drift, n_drift);
        return 0;
}

int verb_reconcile(vport_cli *cli, const cli_args *a) {
        json_object *o = NULL;
        int r;

        if ((r = reconcile_run(cli, &o)) < 0 || !o)
                return cli_fail(cli, r < 0 ? r : -EPROTO, NULL);
        if (cli->json)
                return cli_print_json(cli, o);
        print_reconcile((int) cli_jint(o, "handled", 0), cli_jget(o, "repaired"), cli_jget(o, "drift"));
        json_object_put(o);
        return 0;
}
