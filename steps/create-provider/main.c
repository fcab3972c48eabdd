/* mtv-create-provider: see create_provider.c and README.md. */
int create_provider_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return create_provider_main(argc, argv);
}
