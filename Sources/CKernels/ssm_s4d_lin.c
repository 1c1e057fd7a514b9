// S4D with complex diagonal A (S4D-Lin init), B absorbed into C as in the
// paper's minimal s4d.py: kernel, its backward, and the complex recurrence.
// Complex arithmetic is spelled out on a small struct, in double.
//
// Backward convention: for a real loss and a complex variable z, the gradient
// is g_z = ∂L/∂Re z + i ∂L/∂Im z; through a holomorphic w = f(z) it is
// g_z = g_w · conj(f'(z)), and through w = t·z for real t, ∂L/∂t = Re(g_w conj(z)).
#include "kernel_attributes.h"
#include "SSMKernels.h"
#include <math.h>

typedef struct {
    double re, im;
} cplx;

static inline cplx c_make(double re, double im) { cplx z = {re, im}; return z; }
static inline cplx c_add(cplx a, cplx b) { return c_make(a.re + b.re, a.im + b.im); }
static inline cplx c_mul(cplx a, cplx b) {
    return c_make(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}
static inline cplx c_scale(cplx a, double s) { return c_make(a.re * s, a.im * s); }
static inline cplx c_conj(cplx a) { return c_make(a.re, -a.im); }
static inline cplx c_div(cplx a, cplx b) {
    const double d = b.re * b.re + b.im * b.im;
    return c_make((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}
static inline cplx c_exp(cplx a) {
    const double m = exp(a.re);
    return c_make(m * cos(a.im), m * sin(a.im));
}
/// exp(a) - 1 without cancellation for small |a|.
static inline cplx c_expm1(cplx a) {
    // exp(a) - 1 = expm1(re) cos(im) + (cos(im) - 1) + i exp(re) sin(im); cos(im) - 1 = -2 sin²(im/2)
    const double s = sin(0.5 * a.im);
    return c_make(expm1(a.re) * cos(a.im) - 2.0 * s * s, exp(a.re) * sin(a.im));
}

/// Discretised mode (h, n): dt, A, E = exp(dt A), Z = (E - 1)/A.
typedef struct {
    double dt;
    cplx A, E, Z;
} lin_mode;

static inline lin_mode lin_mode_make(float log_dt, float log_A_real, float A_imag) {
    lin_mode m;
    m.dt = exp((double)log_dt);
    m.A = c_make(-exp((double)log_A_real), (double)A_imag);
    const cplx dtA = c_scale(m.A, m.dt);
    m.E = c_exp(dtA);
    m.Z = c_div(c_expm1(dtA), m.A);
    return m;
}

void mbrl_s4d_lin_discretize(const float *log_dt, const float *log_A_real, const float *A_imag,
                             float *dA, float *dB, int H, int N) {
    for (int h = 0; h < H; h++)
        for (int n = 0; n < N; n++) {
            const size_t i = (size_t)h * N + n;
            lin_mode m = lin_mode_make(log_dt[h], log_A_real[i], A_imag[i]);
            dA[2 * i] = (float)m.E.re;
            dA[2 * i + 1] = (float)m.E.im;
            dB[2 * i] = (float)m.Z.re;
            dB[2 * i + 1] = (float)m.Z.im;
        }
}

void mbrl_s4d_lin_kernel(const float *log_dt, const float *log_A_real, const float *A_imag,
                         const float *C, float *K, int H, int N, int L) {
    double acc[L > 0 ? L : 1];
    for (int h = 0; h < H; h++) {
        for (int l = 0; l < L; l++) acc[l] = 0.0;
        for (int n = 0; n < N; n++) {
            const size_t i = (size_t)h * N + n;
            lin_mode m = lin_mode_make(log_dt[h], log_A_real[i], A_imag[i]);
            cplx pw = c_mul(c_make(C[2 * i], C[2 * i + 1]), m.Z);  // W E^l
            for (int l = 0; l < L; l++) {
                acc[l] += 2.0 * pw.re;
                pw = c_mul(pw, m.E);
            }
        }
        for (int l = 0; l < L; l++) K[(size_t)l * H + h] = (float)acc[l];
    }
}

void mbrl_s4d_lin_kernel_backward(const float *log_dt, const float *log_A_real, const float *A_imag,
                                  const float *C, const float *dK, float *dlog_dt,
                                  float *dlog_A_real, float *dA_imag, float *dC, int H, int N, int L) {
    for (int h = 0; h < H; h++) {
        double gdt = 0.0;
        for (int n = 0; n < N; n++) {
            const size_t i = (size_t)h * N + n;
            lin_mode m = lin_mode_make(log_dt[h], log_A_real[i], A_imag[i]);
            const cplx c = c_make(C[2 * i], C[2 * i + 1]);
            const cplx w = c_mul(c, m.Z);
            // gW = 2 Σ_l dK_l conj(E^l);  gE = 2 Σ_l dK_l conj(W l E^(l-1))
            cplx s0 = c_make(0, 0), s1 = c_make(0, 0), pw = c_make(1, 0), pwm1 = c_make(0, 0);
            for (int l = 0; l < L; l++) {
                const double g = 2.0 * dK[(size_t)l * H + h];
                s0 = c_add(s0, c_scale(c_conj(pw), g));
                s1 = c_add(s1, c_scale(c_conj(pwm1), g * (double)l));
                pwm1 = pw;
                pw = c_mul(pw, m.E);
            }
            const cplx gW = s0;
            cplx gE = c_mul(s1, c_conj(w));
            const cplx gC = c_mul(gW, c_conj(m.Z));           // W = C Z
            const cplx gZ = c_mul(gW, c_conj(c));
            gE = c_add(gE, c_div(gZ, c_conj(m.A)));           // ∂Z/∂E = 1/A
            // ∂Z/∂A at fixed E = -(E - 1)/A² = -Z/A
            cplx gA = c_scale(c_mul(gZ, c_conj(c_div(m.Z, m.A))), -1.0);
            const cplx gdtA = c_mul(gE, c_conj(m.E));         // E = exp(dt A)
            gA = c_add(gA, c_scale(gdtA, m.dt));              // dtA = dt · A
            gdt += gdtA.re * m.A.re + gdtA.im * m.A.im;       // Re(g conj(A))
            dC[2 * i] = (float)gC.re;
            dC[2 * i + 1] = (float)gC.im;
            dlog_A_real[i] = (float)(gA.re * m.A.re);         // Re A = -exp(log_A_real)
            dA_imag[i] = (float)gA.im;
        }
        dlog_dt[h] = (float)(gdt * exp((double)log_dt[h]));
    }
}

void mbrl_s4d_lin_final_state(const float *u, const float *dA, const float *dB,
                              const float *reset, float *state, int batch, int L, int H, int N) {
    for (int b = 0; b < batch; b++) {
        float *x = state + (size_t)b * H * N * 2;
        for (size_t i = 0; i < (size_t)H * N * 2; i++) x[i] = 0.0f;
        for (int j = 0; j < L; j++) {
            if (reset && reset[(size_t)b * L + j] != 0.0f) {
                for (size_t i = 0; i < (size_t)H * N * 2; i++) x[i] = 0.0f;
            }
            const float *uj = u + ((size_t)b * L + j) * H;
            for (int h = 0; h < H; h++) {
                const float uv = uj[h];
                for (int n = 0; n < N; n++) {
                    const size_t i = 2 * ((size_t)h * N + n);
                    const float xr = x[i], xi = x[i + 1];
                    x[i] = dA[i] * xr - dA[i + 1] * xi + dB[i] * uv;
                    x[i + 1] = dA[i] * xi + dA[i + 1] * xr + dB[i + 1] * uv;
                }
            }
        }
    }
}

void mbrl_s4d_lin_step(const float *u_t, const float *dA, const float *dB, const float *C,
                       const float *D, float *state, float *y_t, int batch, int H, int N) {
    for (int b = 0; b < batch; b++) {
        for (int h = 0; h < H; h++) {
            const float uv = u_t[(size_t)b * H + h];
            float *x = state + ((size_t)b * H + h) * N * 2;
            float acc = 0.0f;
            for (int n = 0; n < N; n++) {
                const size_t i = 2 * ((size_t)h * N + n), k = 2 * (size_t)n;
                const float xr = x[k], xi = x[k + 1];
                const float nr = dA[i] * xr - dA[i + 1] * xi + dB[i] * uv;
                const float ni = dA[i] * xi + dA[i + 1] * xr + dB[i + 1] * uv;
                x[k] = nr;
                x[k + 1] = ni;
                acc += C[i] * nr - C[i + 1] * ni;  // Re(C x)
            }
            y_t[(size_t)b * H + h] = 2.0f * acc + (D ? D[h] : 0.0f) * uv;
        }
    }
}
