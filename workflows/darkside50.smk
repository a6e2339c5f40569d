# DarkSide-50 532-day high-mass WIMP search (arXiv:1802.07198).
# Physics: src/dmcombine/experiments/darkside50.py; config: `darkside50:` in config/config.yaml;
# inputs: data/darkside50/; tests: tests/test_darkside50.py.


rule darkside50_limit:
    input:
        catalogue=CATALOGUE,
        summary=fetched(config["darkside50"]["inputs"]["summary"]),
        acceptance=fetched(config["darkside50"]["inputs"]["acceptance"]),
    output:
        "results/darkside50/{variant}/limit.json",
    log:
        "logs/darkside50/{variant}/limit.log",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    resources:
        mem_mb=500,
        runtime=5,
        # REANA's Kubernetes memory limit for this job
        kubernetes_memory_limit="512Mi",
    params:
        cfg=config_arg("darkside50"),
    shell:
        "dmcombine --log {log} darkside50 limit --config-json {params.cfg}"
        " --catalogue {input.catalogue} --summary {input.summary}"
        " --acceptance {input.acceptance} --output {output} --rule darkside50_limit"
