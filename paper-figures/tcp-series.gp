# The look of the TCP figures' series (2, 2b, 3), loaded after style.gp. One
# series per kernel and VPN: the kernel gives the colour (style.gp's
# color()), the VPN the point type and the dash, so that two VPNs of one
# kernel are told apart. Ours: filled points, thick lines; the paper's: open
# points, thin lines. OpenVPN: circles, ours solid, the paper's dashed (as
# before there was a second VPN); wireguard-go: squares, ours dash-dotted,
# the paper's dotted; any other VPN: triangles.
# The caller sets, as word lists, stems, kernels, vpns (ours: the data is in
# PREFIX-stem.dat) and paper_stems, paper_kernels, paper_vpns
# (PREFIX-paper-stem.dat); nvpns, how many VPNs are ours; vpn_names and
# paper_vpn_names, them as text ("OpenVPN" or "openvpn, wireguard-go").
vpn_pt(v, ours) = ((v eq "openvpn") ? 7 : (v eq "wireguard-go") ? 5 : 9) - (ours ? 0 : 1)
vpn_dt(v, ours) = (v eq "openvpn") ? (ours ? 1 : 2) : (ours ? 4 : 3)
# the paper's kernels are "stock" and "patched" (its patch: nodrop-v2)
paper_color(k) = color((k eq "stock") ? "stock" : "nodrop-v2")
# a series in the key: its VPN named when there are several
series_title(who, k, v) = who.": ".k.((nvpns > 1) ? ", ".v : "")
# "OpenVPN" alone, else "VPN (openvpn, wireguard-go)"
vpn_title(names) = strstrt(names, ",") ? "VPN (".names.")" : names
# the top of the paper's axis: LOW unless its highest point needs more
y2_top(max, low) = (max > low) ? 100 * ceil(max * 1.1 / 100) : low
