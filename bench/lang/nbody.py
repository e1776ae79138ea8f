# nbody: the Sun and the four giant planets, advanced STEPS time steps of 0.01
# days (units: AU, years, solar masses). Each body is a list of seven floats
# [x, y, z, vx, vy, vz, mass], read and written by index.
# Prints: the energy before and after, as floor(energy * 1e9) integers
# Expected: -169075164 -169079860
import math

PI = 3.141592653589793
SOLAR_MASS = 4.0 * (PI * PI)
DAYS_PER_YEAR = 365.24


def body(x, y, z, vx, vy, vz, mass):
    return [x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR,
            mass * SOLAR_MASS]


def make_system():
    return [
        body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
        body(4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
             1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
             9.54791938424326609e-04),
        body(8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
             -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
             2.85885980666130812e-04),
        body(1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
             2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
             4.36624404335156298e-05),
        body(1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
             2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
             5.15138902046611451e-05),
    ]


def offset_momentum(bodies):
    px = py = pz = 0.0
    for b in bodies:
        m = b[6]
        px = px + b[3] * m
        py = py + b[4] * m
        pz = pz + b[5] * m
    sun = bodies[0]
    sun[3] = 0.0 - px / SOLAR_MASS
    sun[4] = 0.0 - py / SOLAR_MASS
    sun[5] = 0.0 - pz / SOLAR_MASS


def energy(bodies):
    n = len(bodies)
    e = 0.0
    for i in range(n):
        b = bodies[i]
        vx, vy, vz, m = b[3], b[4], b[5], b[6]
        e = e + 0.5 * (m * (vx * vx + (vy * vy + vz * vz)))
        for j in range(i + 1, n):
            c = bodies[j]
            dx = b[0] - c[0]
            dy = b[1] - c[1]
            dz = b[2] - c[2]
            d = math.sqrt(dx * dx + (dy * dy + dz * dz))
            e = e - (m * c[6]) / d
    return e


def advance(bodies, dt):
    n = len(bodies)
    for i in range(n):
        b = bodies[i]
        for j in range(i + 1, n):
            c = bodies[j]
            dx = b[0] - c[0]
            dy = b[1] - c[1]
            dz = b[2] - c[2]
            d2 = dx * dx + (dy * dy + dz * dz)
            mag = dt / (d2 * math.sqrt(d2))
            mb = b[6] * mag
            mc = c[6] * mag
            b[3] = b[3] - dx * mc
            b[4] = b[4] - dy * mc
            b[5] = b[5] - dz * mc
            c[3] = c[3] + dx * mb
            c[4] = c[4] + dy * mb
            c[5] = c[5] + dz * mb
    for b in bodies:
        b[0] = b[0] + dt * b[3]
        b[1] = b[1] + dt * b[4]
        b[2] = b[2] + dt * b[5]


def run(steps):
    bodies = make_system()
    offset_momentum(bodies)
    before = energy(bodies)
    for _ in range(steps):
        advance(bodies, 0.01)
    print(math.floor(before * 1e9), math.floor(energy(bodies) * 1e9))


run(100000)
