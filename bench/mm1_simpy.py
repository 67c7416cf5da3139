#!/usr/bin/python3
"""mm1_simpy.py - the peer side of the M/M/1 comparison: the model
bench_mm1 runs in strata (Poisson arrivals at 0.5/s, one FIFO server with
Exp(1) service), written the idiomatic SimPy way for a given number of
customers.  Prints one row in the format bench/run reads.

Works with Debian's python3-simpy (SimPy 2, the SimPy.Simulation API) and
with SimPy 3 or later (the simpy package), whichever is installed.

usage: mm1_simpy.py CUSTOMERS
"""
import random
import sys
import time

LAMBDA, MU, SEED = 0.5, 1.0, 1


def run_simpy3(simpy, n):
    rng = random.Random(SEED)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    sojourn = []

    def customer():
        arrive = env.now
        with server.request() as req:
            yield req
            yield env.timeout(rng.expovariate(MU))
        sojourn.append(env.now - arrive)

    def source():
        for _ in range(n):
            env.process(customer())
            yield env.timeout(rng.expovariate(LAMBDA))

    env.process(source())
    env.run()
    return sojourn, "simpy " + simpy.__version__


def run_simpy2(n):
    from SimPy import Simulation as S
    rng = random.Random(SEED)
    sojourn = []
    S.initialize()
    server = S.Resource(capacity=1)

    class Customer(S.Process):
        def visit(self):
            arrive = S.now()
            yield S.request, self, server
            yield S.hold, self, rng.expovariate(MU)
            yield S.release, self, server
            sojourn.append(S.now() - arrive)

    class Source(S.Process):
        def generate(self):
            for _ in range(n):
                c = Customer()
                S.activate(c, c.visit())
                yield S.hold, self, rng.expovariate(LAMBDA)

    src = Source()
    S.activate(src, src.generate())
    S.simulate(until=1e18)
    import SimPy
    return sojourn, "SimPy " + getattr(SimPy, "__version__", "2")


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        sys.exit("usage: mm1_simpy.py CUSTOMERS")
    n = int(sys.argv[1])
    t0 = time.process_time()
    try:
        import simpy
        sojourn, version = run_simpy3(simpy, n)
    except ImportError:
        sojourn, version = run_simpy2(n)
    dt = time.process_time() - t0
    if len(sojourn) != n:
        sys.exit("mm1_simpy: %d of %d customers finished" % (len(sojourn), n))
    print("section=mm1\timpl=simpy\tversion=%s\tcustomers=%d\tseconds=%.6f\t"
          "customers_per_s=%.6g\tmean_sojourn_s=%.4f"
          % (version.replace("\t", " "), n, dt, n / dt, sum(sojourn) / n))


if __name__ == "__main__":
    main()
