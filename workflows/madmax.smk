# MADMAX dielectric haloscope: the prototype's axion limit (arXiv:2409.11777) and the full-scale
# projected reach (arXiv:1901.07401). No input files: every number is in the config with its source.
# Physics: src/dmcombine/experiments/madmax.py and src/dmcombine/axion/haloscope.py;
# config: `madmax:` in config/config.yaml; tests: tests/test_madmax.py.


rule madmax_limit:
    output:
        "results/madmax/{setup}/limit.json",
    log:
        "logs/madmax/{setup}/limit.log",
    wildcard_constraints:
        setup=r"[A-Za-z0-9_\-]+",
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
        cfg=madmax_config_arg,
    shell:
        "dmcombine --log {log} madmax limit --config-json {params.cfg}"
        " --output {output} --rule madmax_limit"
