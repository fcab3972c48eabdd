/* mtv-check-vms: see check_vms.c and README.md. */
int check_vms_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return check_vms_main(argc, argv);
}
