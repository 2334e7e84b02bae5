dnl SPDX-License-Identifier: GPL-2.0-only
dnl
dnl User-space side of configure: libraries, warnings, sanitizers.

dnl DMAPEEK_CC_FLAG(FLAG): add FLAG to DMAPEEK_WARN_CFLAGS if the compiler
dnl takes it without complaint.
AC_DEFUN([DMAPEEK_CC_FLAG], [
	AC_MSG_CHECKING([whether $CC accepts $1])
	dmapeek_save_CFLAGS=$CFLAGS
	CFLAGS="$CFLAGS -Werror $1"
	AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
		[AC_MSG_RESULT([yes]); DMAPEEK_WARN_CFLAGS="$DMAPEEK_WARN_CFLAGS $1"],
		[AC_MSG_RESULT([no])])
	CFLAGS=$dmapeek_save_CFLAGS
])

AC_DEFUN([DMAPEEK_USER_CONFIG], [
	PKG_CHECK_MODULES([LIBMNL], [libmnl >= 1.0.4])
	PKG_CHECK_MODULES([LIBNL_GENL], [libnl-genl-3.0 >= 3.5])
	PKG_CHECK_MODULES([LIBPCI], [libpci >= 3.6])
	PKG_CHECK_MODULES([NCURSES], [ncursesw], [],
		[PKG_CHECK_MODULES([NCURSES], [ncurses])])
	PKG_CHECK_MODULES([CHECK], [check >= 0.11])

	dnl --with-tracefs: "dmapeek monitor --all" reads the dma-buf core's
	dnl tracepoints with libtracefs and libtraceevent (1.8: sub-buffer
	dnl sizes, per-CPU buffer stats).  auto: when pkg-config finds both.
	dnl Without them the library keeps the same functions, which fail with
	dnl EOPNOTSUPP (libdmapeek/trace-none.c).
	AC_ARG_WITH([tracefs],
		[AS_HELP_STRING([--with-tracefs@<:@=yes|no|auto@:>@],
			[read the dma_buf tracepoints with libtracefs (dmapeek monitor --all) @<:@default=auto@:>@])],
		[], [with_tracefs=auto])
	AS_CASE([$with_tracefs],
		[yes|no|auto], [],
		[AC_MSG_ERROR([--with-tracefs must be yes, no or auto, not '$with_tracefs'])])
	have_tracefs=no
	AS_IF([test "$with_tracefs" != no], [
		PKG_CHECK_MODULES([LIBTRACEFS], [libtracefs >= 1.8 libtraceevent >= 1.8],
			[have_tracefs=yes],
			[AS_IF([test "$with_tracefs" = yes], [AC_MSG_ERROR([
	*** --with-tracefs: $LIBTRACEFS_PKG_ERRORS
	*** (on Debian: apt-get install libtracefs-dev libtraceevent-dev)])])])
	])
	AS_IF([test "$have_tracefs" = yes],
		[AC_DEFINE([HAVE_TRACEFS], [1],
			[Define to 1 if libdmapeek reads the dma_buf tracepoints with libtracefs])])

	dnl Warnings: the baseline the quality gate asks for, plus what this
	dnl compiler supports of a few more.  -Werror unless --disable-werror.
	AC_ARG_ENABLE([werror],
		[AS_HELP_STRING([--disable-werror], [do not turn warnings into errors])],
		[], [enable_werror=yes])
	DMAPEEK_WARN_CFLAGS="-Wall -Wextra"
	for f in -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
		 -Wpointer-arith -Wundef -Wvla -Wwrite-strings -Wnull-dereference \
		 -Wimplicit-fallthrough -Wno-missing-field-initializers; do
		DMAPEEK_CC_FLAG([$f])
	done
	AS_IF([test "$enable_werror" = yes],
		[DMAPEEK_WARN_CFLAGS="$DMAPEEK_WARN_CFLAGS -Werror"])
	AC_SUBST([DMAPEEK_WARN_CFLAGS])

	dnl --enable-sanitizers: AddressSanitizer and UndefinedBehaviorSanitizer.
	AC_ARG_ENABLE([sanitizers],
		[AS_HELP_STRING([--enable-sanitizers],
			[build with AddressSanitizer and UndefinedBehaviorSanitizer])],
		[], [enable_sanitizers=no])
	DMAPEEK_SAN_CFLAGS=
	AS_IF([test "$enable_sanitizers" = yes], [
		DMAPEEK_SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
		dmapeek_save_CFLAGS=$CFLAGS
		CFLAGS="$CFLAGS $DMAPEEK_SAN_CFLAGS"
		AC_MSG_CHECKING([whether $CC links with $DMAPEEK_SAN_CFLAGS])
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])], [AC_MSG_RESULT([yes])],
			[AC_MSG_RESULT([no]); AC_MSG_ERROR([*** the sanitizers need libasan and libubsan])])
		CFLAGS=$dmapeek_save_CFLAGS
	])
	AC_SUBST([DMAPEEK_SAN_CFLAGS])

	AC_CHECK_HEADERS([sys/capability.h])
])
