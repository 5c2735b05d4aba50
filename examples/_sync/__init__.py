# generated from examples/_async/__init__.py by codegen; do not edit
