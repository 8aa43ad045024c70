# Figure 6: the same frames as decoded at the receiver, stock above patched,
# from one campaign and the same settings (subtitle names them).
# The caller sets: rows (runs), cols (frames), n = rows * cols pictures,
# pic1..picN (PNG files, row by row) and cap1..capN (captions).
load dir."/style.gp"
if (term eq "svg") {
  set terminal svg size 560*cols,230*rows+60 dynamic font "sans,11" background rgb "white" noenhanced
} else {
  set terminal pngcairo size 700*cols,290*rows+70 font "sans,12" background rgb "white" noenhanced
}
set output out
set multiplot layout rows,cols title "The same frames at the receiver (".subtitle.")" font ",15"
unset key
unset tics
unset border
set size ratio -1
do for [i=1:n] {
  set title value("cap".i)
  plot value("pic".i) binary filetype=png with rgbimage
}
unset multiplot
