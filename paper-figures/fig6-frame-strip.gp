# Figure 6: the same frame as decoded at the receiver, stock beside patched.
# The caller sets: n (pictures), pic1..picN (PNG files), cap1..capN (captions).
load dir."/style.gp"
if (term eq "svg") {
  set terminal svg size 1200,420 dynamic font "sans,13" background rgb "white"
} else {
  set terminal pngcairo size 1500,520 font "sans,13" background rgb "white"
}
set output out
set multiplot layout 1,n title "The same frame at the receiver (".subtitle.")" font ",15"
unset key
unset tics
unset border
set size ratio -1
do for [i=1:n] {
  set title value("cap".i)
  plot value("pic".i) binary filetype=png with rgbimage
}
unset multiplot
