/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <net/if.h>
#include <stdio.h>
#include <sys/mman.h>

#include "fake-sriov.h"

fake_sriov *fake;

static void random_mac(vport_mac *m) {
        fake->seq++;
        *m = (vport_mac){ { 0x02, 0xfa, 0x4e, 0x00, (uint8_t) (fake->seq >> 8), (uint8_t) fake->seq } };
}

/* The VF driver probes: a netdev appears with a new name, carrying the admin
 * MAC if one is set, else a random MAC (igb forgets a MAC the VF chose). */
static void vf_probe(fake_vf *vf) {
        if (fake->netdev_never_returns)
                return;
        fake->seq++;
        snprintf(vf->netdev, sizeof(vf->netdev), "fakevf%u", fake->seq);
        vf->ifindex = 100 + (int) fake->seq;
        if (vf->admin_set && !fake->bounce_random_mac)
                vf->mac = vf->info.mac;
        else
                random_mac(&vf->mac);
        if (!vf->admin_set)
                vf->info.mac = (vport_mac){ { 0 } };
        vf->mtu = 1500;
}

void fake_sriov_setup(int n_vfs) {
        if (!fake) {
                fake = mmap(NULL, sizeof(*fake), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
                if (fake == MAP_FAILED)
                        abort();
        }
        *fake = (fake_sriov){ .pf_pci = { 0, 3, 0, 0 }, .pf_ifindex = 10, .pf_up = true, .n_vfs = n_vfs };
        snprintf(fake->pf_name, sizeof(fake->pf_name), "fakepf0");
        for (int i = 0; i < n_vfs; i++) {
                fake_vf *vf = &fake->vfs[i];
                *vf = (fake_vf){ .pci = { 0, 3, 0x10, (uint8_t) i } };
                vf->info = (vport_vf_info){ .vf = i,
                                            .has_spoofchk = true,
                                            .spoofchk = true,
                                            .has_trust = true,
                                            .has_link_state = true,
                                            .has_rate = true };
                snprintf(vf->driver, sizeof(vf->driver), FAKE_VF_DRIVER);
                vf_probe(vf);
        }
}

static fake_vf *vf_by_pci(const vport_pci_addr *a) {
        for (int i = 0; i < fake->n_vfs; i++)
                if (pci_addr_equal(&fake->vfs[i].pci, a))
                        return &fake->vfs[i];
        return NULL;
}

static fake_vf *vf_by_link(int ifindex, const char *name) {
        for (int i = 0; i < fake->n_vfs; i++) {
                fake_vf *vf = &fake->vfs[i];
                if (vf->netdev[0] && (ifindex > 0 ? vf->ifindex == ifindex : streq(vf->netdev, name)))
                        return vf;
        }
        return NULL;
}

static bool is_pf(int ifindex, const char *name) {
        return ifindex > 0 ? ifindex == fake->pf_ifindex : streq_ptr(name, fake->pf_name);
}

static int fake_link_get(vport_kernel *k, int ifindex, const char *name, vport_link *ret, vport_error *err) {
        fake_vf *vf = vf_by_link(ifindex, name);

        *ret = (vport_link){ .mtu = 1500 };
        if (is_pf(ifindex, name)) {
                ret->ifindex = fake->pf_ifindex;
                snprintf(ret->name, sizeof(ret->name), "%s", fake->pf_name);
                ret->flags = fake->pf_up ? IFF_UP : 0;
                return 0;
        }
        if (!vf)
                return vport_error_set(err, -ENODEV, "fake: no link %d/%s", ifindex, strempty(name));
        ret->ifindex = vf->ifindex;
        snprintf(ret->name, sizeof(ret->name), "%s", vf->netdev);
        ret->mac = vf->mac;
        ret->mtu = vf->mtu;
        return 0;
}

/* Up/down of the PF (the only link whose state the model keeps). */
static int fake_link_set_up(vport_kernel *k, int ifindex, bool up, vport_error *err) {
        fake->n_link_set_up++;
        if (ifindex == fake->pf_ifindex) {
                fake->pf_up = up;
                return 0;
        }
        if (!vf_by_link(ifindex, NULL))
                return vport_error_set(err, -ENODEV, "fake: link_set_up on ifindex %d", ifindex);
        return 0;
}

/* The PF and every VF netdev. */
static int fake_link_list(vport_kernel *k, vport_link **ret, size_t *ret_n, vport_error *err) {
        vport_link *links = calloc(FAKE_MAX_VFS + 1, sizeof(*links));
        size_t n = 0;

        if (!links)
                return -ENOMEM;
        if (fake->pf_name[0] && fake_link_get(k, fake->pf_ifindex, NULL, &links[n], NULL) >= 0)
                n++;
        for (int i = 0; i < fake->n_vfs; i++)
                if (fake->vfs[i].netdev[0] &&
                    fake_link_get(k, fake->vfs[i].ifindex, NULL, &links[n], NULL) >= 0)
                        n++;
        *ret = links;
        *ret_n = n;
        return 0;
}

/* No macvlan sits on the PF or a VF here: empty unicast lists. */
static int fake_link_uc_list(vport_kernel *k, int ifindex, vport_mac **ret, size_t *ret_n,
                             vport_error *err) {
        *ret = NULL;
        *ret_n = 0;
        return 0;
}

/* PF and VFs have no IFLA_INFO_KIND: no link is of any kind. */
static int fake_link_list_kind(vport_kernel *k, const char *kind, vport_link **ret, size_t *ret_n,
                               vport_error *err) {
        *ret = NULL;
        *ret_n = 0;
        return 0;
}

/* igbvf asks the PF through the mailbox; the PF refuses once the admin
 * flag is set, and igbvf ignores the refusal. */
static int fake_link_set_mac(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err) {
        fake_vf *vf = vf_by_link(ifindex, NULL);

        fake->n_link_set_mac++;
        if (!vf)
                return vport_error_set(err, -ENODEV, "fake: link_set_mac on ifindex %d", ifindex);
        if (fake->mac_set_error)
                return vport_error_set(err, fake->mac_set_error, "fake: %s: set MAC refused", vf->netdev);
        if (vf->admin_set && !fake->silent_mac_set)
                return vport_error_set(err, -EPERM, "fake: %s: admin MAC set", vf->netdev);
        vf->mac = *mac;
        if (!vf->admin_set && fake->records_vf_mac)
                vf->info.mac = *mac;
        return 0;
}

static int fake_link_set_mtu(vport_kernel *k, int ifindex, unsigned mtu, vport_error *err) {
        fake_vf *vf = vf_by_link(ifindex, NULL);

        if (!vf)
                return vport_error_set(err, -ENODEV, "fake: link_set_mtu on ifindex %d", ifindex);
        vf->mtu = mtu;
        return 0;
}

static int fake_vf_list(vport_kernel *k, int pf_ifindex, vport_vf_info **ret, size_t *ret_n,
                        vport_error *err) {
        if (pf_ifindex != fake->pf_ifindex)
                return vport_error_set(err, -ENODEV, "fake: vf_list on ifindex %d", pf_ifindex);
        *ret = calloc(FAKE_MAX_VFS, sizeof(**ret));
        if (!*ret)
                return -ENOMEM;
        for (int i = 0; i < fake->n_vfs; i++)
                (*ret)[i] = fake->vfs[i].info;
        *ret_n = (size_t) fake->n_vfs;
        return 0;
}

static int fake_vf_set_mac(fake_vf *vf, const vport_mac *mac, vport_error *err) {
        if (mac_is_zero(mac) && fake->reject_zero_admin_mac)
                return vport_error_set(err, -EINVAL, "fake: VF %d: zero admin MAC refused", vf->info.vf);
        vf->info.mac = *mac;
        vf->admin_set = !mac_is_zero(mac);
        return 0;
}

static int fake_vf_set(vport_kernel *k, int pf_ifindex, const vport_vf_info *cfg, unsigned mask,
                       vport_error *err) {
        fake_vf *vf;
        int r;

        fake->n_vf_set++;
        if (pf_ifindex != fake->pf_ifindex || cfg->vf < 0 || cfg->vf >= fake->n_vfs)
                return vport_error_set(err, -EINVAL, "fake: vf_set on ifindex %d VF %d", pf_ifindex,
                                       cfg->vf);
        vf = &fake->vfs[cfg->vf];
        if ((mask & VF_SET_MAC) && (r = fake_vf_set_mac(vf, &cfg->mac, err)) < 0)
                return r;
        if (mask & VF_SET_VLAN) {
                vf->info.vlan = cfg->vlan;
                vf->info.qos = cfg->qos;
        }
        if (mask & VF_SET_SPOOFCHK)
                vf->info.spoofchk = cfg->spoofchk;
        if (mask & VF_SET_TRUST)
                vf->info.trust = cfg->trust;
        if (mask & VF_SET_LINK_STATE)
                return vport_error_set(err, -EOPNOTSUPP, "fake: link state unsupported by driver (igb)");
        if (mask & VF_SET_RATE) {
                vf->info.min_tx_rate = cfg->min_tx_rate;
                vf->info.max_tx_rate = cfg->max_tx_rate;
        }
        return 0;
}

static int fake_pci_info(vport_kernel *k, const vport_pci_addr *addr, vport_pci_info *ret,
                         vport_error *err) {
        fake_vf *vf = vf_by_pci(addr);

        *ret = (vport_pci_info){ .addr = *addr, .is_net = true, .vf_index = -1, .iommu_group = -1 };
        if (pci_addr_equal(addr, &fake->pf_pci)) {
                snprintf(ret->driver, sizeof(ret->driver), "igb");
                return 0;
        }
        if (!vf)
                return vport_error_set(err, -ENODEV, "fake: no PCI device");
        ret->is_vf = true;
        ret->pf = fake->pf_pci;
        ret->vf_index = (int) (vf - fake->vfs);
        snprintf(ret->driver, sizeof(ret->driver), "%s", vf->driver);
        return 0;
}

static int fake_pci_netdevs(vport_kernel *k, const vport_pci_addr *addr, char ***ret, size_t *ret_n,
                            vport_error *err) {
        fake_vf *vf = vf_by_pci(addr);
        const char *name = pci_addr_equal(addr, &fake->pf_pci) ? fake->pf_name : vf ? vf->netdev : NULL;

        if (!name && !vf)
                return vport_error_set(err, -ENODEV, "fake: no PCI device");
        *ret = NULL;
        *ret_n = 0;
        if (!name[0])
                return 0;
        *ret = calloc(1, sizeof(char *));
        (*ret)[0] = strdup(name);
        *ret_n = 1;
        return 0;
}

static int fake_netdev_pci(vport_kernel *k, const char *ifname, vport_pci_addr *ret, vport_error *err) {
        fake_vf *vf = vf_by_link(0, ifname);

        if (streq(ifname, fake->pf_name))
                *ret = fake->pf_pci;
        else if (vf)
                *ret = vf->pci;
        else
                return vport_error_set(err, -ENODEV, "fake: netdev %s not found", ifname);
        return 0;
}

static int fake_pci_vfs(vport_kernel *k, const vport_pci_addr *pf, vport_pci_addr **ret, size_t *ret_n,
                        vport_error *err) {
        if (!pci_addr_equal(pf, &fake->pf_pci))
                return vport_error_set(err, -ENODEV, "fake: not the PF");
        *ret = calloc(FAKE_MAX_VFS, sizeof(**ret));
        for (int i = 0; i < fake->n_vfs; i++)
                (*ret)[i] = fake->vfs[i].pci;
        *ret_n = (size_t) fake->n_vfs;
        return 0;
}

static int fake_sriov_numvfs(vport_kernel *k, const vport_pci_addr *pf, int *ret_num, int *ret_total,
                             vport_error *err) {
        if (ret_num)
                *ret_num = fake->n_vfs;
        if (ret_total)
                *ret_total = FAKE_MAX_VFS;
        return 0;
}

static int fake_pci_unbind(vport_kernel *k, const vport_pci_addr *addr, vport_error *err) {
        fake_vf *vf = vf_by_pci(addr);

        fake->n_unbind++;
        if (!vf)
                return vport_error_set(err, -ENODEV, "fake: unbind: no such VF");
        if (fake->unbind_error)
                return vport_error_set(err, fake->unbind_error, "fake: unbinding %s from %s refused",
                                       vf->netdev, vf->driver);
        vf->driver[0] = '\0';
        vf->netdev[0] = '\0';
        vf->ifindex = 0;
        return 0;
}

static int fake_pci_bind(vport_kernel *k, const vport_pci_addr *addr, const char *driver, vport_error *err) {
        fake_vf *vf = vf_by_pci(addr);

        fake->n_bind++;
        if (!vf)
                return vport_error_set(err, -ENODEV, "fake: bind: no such VF");
        if (fake->bind_error && (!fake->bind_error_driver[0] || streq(fake->bind_error_driver, driver)))
                return vport_error_set(err, fake->bind_error, "fake: binding to %s failed", driver);
        if (vf->driver[0])
                return streq(vf->driver, driver)
                               ? 0
                               : vport_error_set(err, -EBUSY, "fake: bound to %s", vf->driver);
        snprintf(vf->driver, sizeof(vf->driver), "%s", driver);
        if (streq(driver, FAKE_VF_DRIVER))
                vf_probe(vf);
        return 0;
}

static int fake_pci_wait_netdev(vport_kernel *k, const vport_pci_addr *addr, int timeout_ms, char **ret_name,
                                vport_error *err) {
        fake_vf *vf = vf_by_pci(addr);

        if (!vf || !vf->netdev[0])
                return vport_error_set(err, -ETIMEDOUT, "fake: no netdev appeared within %d ms", timeout_ms);
        *ret_name = strdup(vf->netdev);
        return 0;
}

const vport_kernel_ops fake_sriov_ops = {
        .link_get = fake_link_get,
        .link_list = fake_link_list,
        .link_list_kind = fake_link_list_kind,
        .link_uc_list = fake_link_uc_list,
        .link_set_mac = fake_link_set_mac,
        .link_set_up = fake_link_set_up,
        .link_set_mtu = fake_link_set_mtu,
        .vf_list = fake_vf_list,
        .vf_set = fake_vf_set,
        .pci_info = fake_pci_info,
        .pci_netdevs = fake_pci_netdevs,
        .netdev_pci = fake_netdev_pci,
        .pci_vfs = fake_pci_vfs,
        .sriov_numvfs = fake_sriov_numvfs,
        .pci_unbind = fake_pci_unbind,
        .pci_bind = fake_pci_bind,
        .pci_wait_netdev = fake_pci_wait_netdev,
};
