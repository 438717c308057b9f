# Element-wise helpers the compiled rules share, with numpy's semantics for maximum, minimum,
# clip and scalar powers, so a rule gives the same bits as its array formula would.

from libc.math cimport pow, sqrt


cdef inline double fmax_(double a, double b) noexcept:
    return a if a >= b else b


cdef inline double fmin_(double a, double b) noexcept:
    return a if a <= b else b


cdef inline double clip(double x, double lo, double hi) noexcept:
    x = x if x > lo else lo
    return x if x < hi else hi


cdef inline double clip01(double x) noexcept:
    return clip(x, 0.0, 1.0)


cdef inline double power(double x, double e) noexcept:
    # ``x ** e`` for a scalar ``e``, with numpy's fast paths for 2, 0.5 and -1.
    if e == 2.0:
        return x * x
    if e == 0.5:
        return sqrt(x)
    if e == -1.0:
        return 1.0 / x
    return pow(x, e)
