# Empty dependencies file for hs_tracer_record_objects.
# This may be replaced when dependencies are built.
