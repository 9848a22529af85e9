/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pairs outlive the agent: STATE_DIR/pairs.json holds each pair's
 * configuration and the VF it had joined, so a restarted agent adopts the
 * redirects it left in place instead of tearing them down. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "failover.h"

static json_object *pair_state_json(const fo_pair *p) {
        json_object *o = json_object_new_object();
        char buf[VPORT_PCI_STRLEN];

        json_object_object_add(o, "synthetic", json_object_new_string(p->synth));
        if (p->has_vf_pci)
                json_object_object_add(o, "vf_pci",
                                       json_object_new_string(pci_addr_format(&p->vf_pci, buf)));
        json_object_object_add(o, "vf_ifindex", json_object_new_int(p->vf_ifindex));
        json_object_object_add(o, "vf", json_object_new_string(p->vf_name));
        json_object_object_add(o, "detached_vf_ifindex", json_object_new_int(p->detached_vf));
        return o;
}

int fo_state_save(fo_agent *a, vport_error *err) {
        json_object *root = json_object_new_object(), *arr = json_object_new_array();
        char path[320], tmp[330];
        const char *text;
        FILE *f;
        int r = 0;

        for (size_t i = 0; i < a->n_pairs; i++)
                json_object_array_add(arr, pair_state_json(&a->pairs[i]));
        json_object_object_add(root, "pairs", arr);
        text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
        (void) mkdir(a->state_dir, 0700);
        snprintf(path, sizeof(path), "%s/pairs.json", a->state_dir);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        f = fopen(tmp, "we");
        if (!f || fprintf(f, "%s\n", text) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0)
                r = vport_error_set(err, -errno, "state file %s: writing: %m", tmp);
        if (f && fclose(f) != 0 && r >= 0)
                r = vport_error_set(err, -errno, "state file %s: writing: %m", tmp);
        if (r >= 0 && rename(tmp, path) < 0)
                r = vport_error_set(err, -errno, "state file %s: renaming into place: %m", path);
        if (r < 0) {
                (void) unlink(tmp);
                fo_log("%s", vport_error_message(err, r));
        }
        json_object_put(root);
        return r;
}

static int pair_state_parse(json_object *o, fo_pair *p, vport_error *err) {
        json_object *v;

        *p = (fo_pair){ .synth_up = -1 };
        if (!json_object_object_get_ex(o, "synthetic", &v) || !json_object_is_type(v, json_type_string) ||
            ifname_check(json_object_get_string(v), err) < 0)
                return vport_error_set(err, -EBADMSG, "pair without a valid 'synthetic' name");
        snprintf(p->synth, sizeof(p->synth), "%s", json_object_get_string(v));
        if (json_object_object_get_ex(o, "vf_pci", &v)) {
                if (pci_addr_parse(json_object_get_string(v), &p->vf_pci) < 0)
                        return vport_error_set(err, -EBADMSG, "pair %s: invalid 'vf_pci'", p->synth);
                p->has_vf_pci = true;
        }
        if (json_object_object_get_ex(o, "vf_ifindex", &v))
                p->vf_ifindex = json_object_get_int(v);
        if (json_object_object_get_ex(o, "vf", &v))
                snprintf(p->vf_name, sizeof(p->vf_name), "%s", json_object_get_string(v));
        if (json_object_object_get_ex(o, "detached_vf_ifindex", &v))
                p->detached_vf = json_object_get_int(v);
        p->adopted = p->vf_ifindex > 0;
        return 0;
}

int fo_state_load(fo_agent *a, vport_error *err) {
        char path[320];
        json_object *root, *arr;
        int r = 0;

        snprintf(path, sizeof(path), "%s/pairs.json", a->state_dir);
        if (access(path, F_OK) < 0)
                return 0; /* first start */
        root = json_object_from_file(path);
        if (!root || !json_object_object_get_ex(root, "pairs", &arr) ||
            !json_object_is_type(arr, json_type_array)) {
                json_object_put(root);
                return vport_error_set(err, -EBADMSG,
                                       "state file %s: not a pairs document (move it away to start empty)",
                                       path);
        }
        for (size_t i = 0; i < json_object_array_length(arr) && r >= 0; i++) {
                if (a->n_pairs == FO_MAX_PAIRS)
                        r = vport_error_set(err, -E2BIG, "state file %s: more than %d pairs", path,
                                            FO_MAX_PAIRS);
                else
                        r = pair_state_parse(json_object_array_get_idx(arr, i), &a->pairs[a->n_pairs++],
                                             err);
        }
        if (r < 0)
                vport_error_prefix(err, r, "state file %s", path);
        json_object_put(root);
        return r;
}
