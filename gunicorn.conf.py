"""gunicorn's configuration file (read from the working directory by default): only the
worker hook; command-line options (bind, workers, threads) stay where they are given."""


def post_worker_init(worker):
    # After the worker has loaded the WSGI app (the fork is done, Django is set up).
    from rastrack.warm_up import warm_up_and_freeze

    frozen = warm_up_and_freeze()
    worker.log.info("Warmed up; %s objects frozen out of garbage collection", frozen)
