{
  "targets": [
    {
      "target_name": "matrix_kernels",
      "sources": ["matrix-kernels.c"],
      "libraries": ["-lpthread"],
      "cflags": ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-fast-math"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-ffp-contract=off"] }
    }
  ]
}
