"""Running the stages of classifiers/ for the gateway: built from the settings (build.py),
run for a report (runner.py), in worker processes when configured (pool.py, worker.py);
protocols.py says what a stage must offer; duplicates.py keeps the open-case index in
step with the work orders."""
