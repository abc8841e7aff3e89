# An absolute address inside .text: linked with -z notext this makes a
# PIE with DT_TEXTREL, whose text ld.so must write to (private pages).
	.text
	.p2align 4
	.globl textrel_anchor
textrel_anchor:
	.quad main_table
	.section .note.GNU-stack,"",@progbits
