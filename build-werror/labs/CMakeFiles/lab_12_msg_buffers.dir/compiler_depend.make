# Empty compiler generated dependencies file for lab_12_msg_buffers.
# This may be replaced when dependencies are built.
