#!/bin/sh
# One lifecycle phase done the way people script it with ip(8) and
# bridge(8) (bridge ports: macTableManager kernel, so no FDB work);
# vport-bench times each call against vport and the floor.
#   ip-phase.sh PHASE KIND N MAC     PHASE: prepare|activate|deactivate|delete, KIND: direct|bridge
phase=$1 kind=$2 n=$3 mac=$4
if [ "$kind" = direct ]; then
	dev=ipmvt$n
	case $phase in
	prepare) ip link add link eth0 name "$dev" address "$mac" type macvtap mode vepa ;;
	activate) ip link set eth0 up && ip link set "$dev" up ;;
	deactivate) ip link set "$dev" down ;;
	delete) ip link del "$dev" ;;
	esac
else
	dev=iptap$n
	tapmac=fe${mac#??}
	case $phase in
	prepare) ip tuntap add dev "$dev" mode tap vnet_hdr && ip link set "$dev" address "$tapmac" master br0 ;;
	activate) ip link set "$dev" up ;;
	deactivate) ip link set "$dev" down ;;
	delete) ip link del "$dev" ;;
	esac
fi
